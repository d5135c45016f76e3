package store_test

// Tests of misc that depend on Redis itself (its scripts, keys, clients or
// server); the behaviour shared with the SQLite store is in store/storesuite.

import (
	"context"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

func TestNewMemoryAndOpen(t *testing.T) {
	s, stop, err := store.NewMemory()
	must(t, err)
	defer stop()
	ctx := context.Background()
	must(t, s.Ping(ctx))
	must(t, s.ApplyProgramme(ctx, testProgramme()))

	_, err = store.Open(ctx, "not a url")
	wantErr(t, err, renovote.ErrInvalid)
	if storetest.Backend() == "redis" {
		// Open only pings; it writes nothing.
		o, err := store.Open(ctx, envRedisURL())
		must(t, err)
		must(t, o.Ping(ctx))
		o.Close()
	}
}
