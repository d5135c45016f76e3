package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/renovote/renovote/sqlstore"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/storedump"
)

// Store is what the commands use of a store. *store.Store (Redis, or the
// in-process miniredis of -memory) and *sqlstore.Store (the SQLite file in
// the data directory) are both one, with the same semantics; the store
// packages' conformance suite (store/storesuite) holds them to it. It carries
// every method of the two, so that the optional interfaces the dialogs, the
// bot and the dashboard look for (objections, staff invitations, webhook
// update claims) are there whichever store runs.
type Store interface {
	store.Backend
	storedump.Exporter
	storedump.Importer
}

var (
	_ Store = (*store.Store)(nil)
	_ Store = (*sqlstore.Store)(nil)
)

// Which store a command runs on, for the log.
const (
	backendRedis  = "redis"
	backendSQLite = "sqlite"
	backendMemory = "memory"
)

// memoryWarning is said (log and standard error) whenever the in-memory
// store runs.
const memoryWarning = "in-memory: everything is lost on exit"

// errMemoryStaff: a staff command on the in-memory store would write into a
// store that vanishes when it returns.
var errMemoryStaff = errors.New("-memory is for renovote run only: a staff command's changes would vanish when it exits " +
	"(drop -memory to use the data directory, or set REDIS_URL)")

// openStore opens the configured store: Redis with REDIS_URL; with -memory
// the in-process miniredis, said loudly ("in-memory: everything is lost on
// exit"); otherwise the SQLite store in the data directory (RENOVOTE_DATA,
// -data), which one process holds at a time. The returned func closes it.
func (c *cli) openStore(ctx context.Context) (Store, string, func(), error) {
	switch {
	case c.cfg.RedisURL != "":
		s, err := store.OpenWith(ctx, c.cfg.RedisURL, c.cfg.storeOptions())
		if err != nil {
			return nil, "", nil, err
		}
		return s, backendRedis, s.Close, nil
	case c.cfg.Memory:
		mem, closeMem, err := store.NewMemory()
		if err != nil {
			return nil, "", nil, err
		}
		c.log.Warn(memoryWarning + ": running on an in-process store (-memory). EVERYTHING IS LOST WHEN THE BOT STOPS. " +
			"Drop -memory to keep the data in the data directory (RENOVOTE_DATA), or set REDIS_URL.")
		fmt.Fprintln(c.errOut, "*** WARNING: in-memory store, nothing is kept across restarts ("+memoryWarning+") ***")
		return mem, backendMemory, closeMem, nil
	default:
		s, err := sqlstore.Open(ctx, c.cfg.DataDir, sqlstore.Options{})
		if err != nil {
			return nil, "", nil, err
		}
		c.log.Info("store: SQLite in the data directory, for this process only", "dir", s.Dir())
		return s, backendSQLite, s.Close, nil
	}
}
