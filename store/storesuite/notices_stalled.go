package storesuite

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// A notice stored but never queued (the process died in between) is found,
// and no longer once it has been queued; a scheduled one is not.
func TestUnqueuedNotices(t *testing.T) {
	st, _ := setup(t)
	ctx := context.Background()
	now := time.Date(2020, 5, 10, 10, 0, 0, 0, time.UTC)
	stuck, err := st.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{lm}, Text: "停电",
		By: "test", Created: now, SendAt: now}, "op:stuck")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateNotice(ctx, renovote.Notice{Kind: renovote.KindNotice, Compounds: []string{lm}, Text: "明天停水",
		By: "test", Created: now, SendAt: now.Add(24 * time.Hour)}, "op:later"); err != nil {
		t.Fatal(err)
	}
	got, err := st.UnqueuedNotices(ctx, now.Add(time.Minute), 100)
	if err != nil || len(got) != 1 || got[0].ID != stuck.ID {
		t.Fatalf("unqueued %+v %v, want only %s", got, err, stuck.ID)
	}
	if got, _ := st.UnqueuedNotices(ctx, now, 100); len(got) != 0 {
		t.Fatalf("a notice created at the cut-off is listed: %+v", got)
	}
	if _, err := st.EnqueueNotice(ctx, stuck.ID, []int64{1, 2}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.UnqueuedNotices(ctx, now.Add(time.Minute), 100); len(got) != 0 {
		t.Fatalf("a queued notice is listed: %+v", got)
	}
}
