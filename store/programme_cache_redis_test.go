package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/renovote/renovote/store/storetest"
)

// Programme serves the cached programme while its revision stands: each
// caller gets a copy of its own, and a programme applied by another process
// is seen at once.
func TestProgrammeCachedCopies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	bot, cli := storetest.NewPair(t)
	want := testProgramme()
	must(t, cli.ApplyProgramme(ctx, want))
	before, err := bot.Programme(ctx)
	must(t, err)
	p, err := bot.Programme(ctx)
	must(t, err)
	p.Compounds[0].Name = "changed by a caller"
	p.Compounds = p.Compounds[:1]
	again, err := bot.Programme(ctx)
	must(t, err)
	if !reflect.DeepEqual(again, before) || again.Compounds[0].Name != want.Compounds[0].Name {
		t.Fatalf("a caller's change reached the next caller:\n%+v", again)
	}

	changed := testProgramme()
	changed.Compounds[0].Name = "renamed elsewhere"
	must(t, cli.ApplyProgramme(ctx, changed))
	got, err := bot.Programme(ctx)
	must(t, err)
	if got.Compounds[0].Name != "renamed elsewhere" {
		t.Errorf("after another process applied a programme: %q", got.Compounds[0].Name)
	}
}

// BenchmarkProgramme reads the applied programme, as every vote press does.
//
//	go test -run '^$' -bench 'Programme$' ./store/
func BenchmarkProgramme(b *testing.B) {
	ctx := context.Background()
	s := storetest.New(b)
	must(b, s.ApplyProgramme(ctx, testProgramme()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Programme(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
