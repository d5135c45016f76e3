package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/sqlstore"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/storedump"
)

// migrateFlags are the flags of renovote migrate.
type migrateFlags struct{ from, to string }

func (m *migrateFlags) declare(fs *flag.FlagSet) {
	fs.StringVar(&m.from, "from", "", "migrate: the store to copy from, sqlite:DIR or redis://host:port/db")
	fs.StringVar(&m.to, "to", "", "migrate: the empty store to copy into, sqlite:DIR or redis://host:port/db")
}

// migrateStore is a store migrate opens: both ends of a copy.
type migrateStore interface {
	storedump.Exporter
	storedump.Importer
	JournaledUpdates(ctx context.Context) (map[int64][]byte, error)
	Close()
}

// openSpec opens the store a migrate flag names: sqlite:DIR (the data
// directory of the embedded store) or a Redis URL (store.ParseRedisURL: one
// server, Sentinel or Cluster).
func openSpec(ctx context.Context, flagName, spec string) (migrateStore, error) {
	switch {
	case strings.HasPrefix(spec, "sqlite:"):
		dir := strings.TrimPrefix(spec, "sqlite:")
		if dir == "" {
			return nil, fmt.Errorf("migrate -%s: sqlite: needs a directory (sqlite:DIR): %w", flagName, renovote.ErrInvalid)
		}
		return sqlstore.Open(ctx, dir, sqlstore.Options{})
	case strings.HasPrefix(spec, "redis"): // redis://, rediss://, redis-sentinel://, redis-cluster://
		return store.Open(ctx, spec)
	}
	return nil, fmt.Errorf("migrate -%s: want sqlite:DIR or redis://host:port/db: %w", flagName, renovote.ErrInvalid)
}

// migrate copies every piece of data from one store into another, empty one
// (storedump.Copy): SQLite to Redis when a county outgrows one process, or
// back. Run it with the bot stopped (a SQLite directory is locked while the
// bot runs anyway).
func (c *cli) migrate(ctx context.Context) error {
	m := c.mig
	if m.from == "" || m.to == "" {
		return fmt.Errorf("migrate: give -from and -to (sqlite:DIR or redis://host:port/db): %w", renovote.ErrInvalid)
	}
	if m.from == m.to {
		return fmt.Errorf("migrate: -from and -to are the same store: %w", renovote.ErrInvalid)
	}
	from, err := openSpec(ctx, "from", m.from)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer from.Close()
	// The update journal is not copied: updates a bot took and did not
	// handle would be lost with the old store.
	if j, err := from.JournaledUpdates(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	} else if len(j) > 0 {
		return fmt.Errorf("migrate: the bot left %d updates it took from Telegram and did not handle in %s: start the bot on it again until they are handled (it handles them first), stop it, then migrate: %w",
			len(j), m.from, renovote.ErrConflict)
	}
	to, err := openSpec(ctx, "to", m.to)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer to.Close()
	d, err := storedump.Copy(ctx, from, to)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var households, votes, audit int
	for _, cp := range d.Compounds {
		households += len(cp.Households)
		votes += len(cp.Votes)
		audit += len(cp.VoteAudit)
	}
	fmt.Fprintf(c.out, "migrated: %d compounds (%d retired), %d households, %d votes, %d audit entries, %d staff, %d notices, %d outbox messages\n",
		len(d.Compounds), len(d.Retired), households, votes, audit, len(d.Staff), len(d.Notices), len(d.Outbox))
	return nil
}
