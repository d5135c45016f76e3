package store_test

import (
	"context"
	"testing"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// DeletePrefixKeys removes the store's keys and no other: not those of a
// store whose prefix only starts like it, nor those of a prefix with glob
// characters that would match more as a pattern.
func TestDeletePrefixKeys(t *testing.T) {
	ctx := context.Background()
	rdb := storetest.Client(t)
	base := storetest.Prefix()
	mine := store.New(rdb, store.Options{Prefix: base + "a*:"})
	other := store.New(rdb, store.Options{Prefix: base + "ab:"})
	t.Cleanup(func() {
		for _, s := range []*store.Store{mine, other} {
			if _, err := s.DeletePrefixKeys(ctx); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	for _, s := range []*store.Store{mine, other} {
		must(t, s.ApplyProgramme(ctx, testProgramme()))
	}
	n, err := mine.DeletePrefixKeys(ctx)
	must(t, err)
	if n == 0 {
		t.Fatal("deleted no key")
	}
	if left, err := rdb.Keys(ctx, base+"a\\*:*").Result(); err != nil || len(left) != 0 {
		t.Errorf("keys left under the prefix: %v %v", left, err)
	}
	if _, err := other.Programme(ctx); err != nil {
		t.Errorf("the other prefix's programme: %v", err)
	}
	if n, err := mine.DeletePrefixKeys(ctx); err != nil || n != 0 {
		t.Errorf("second call: %d, %v", n, err)
	}
	_, err = store.New(rdb, store.Options{}).DeletePrefixKeys(ctx)
	wantErr(t, err, renovote.ErrInvalid)
}
