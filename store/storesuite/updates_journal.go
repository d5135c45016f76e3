package storesuite

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"strconv"
	"testing"
)

// checkJournal asserts that the journal holds exactly want, byte for byte.
func checkJournal(t *testing.T, s Store, what string, want map[int64][]byte) {
	t.Helper()
	got, err := s.JournaledUpdates(context.Background())
	must(t, err)
	if !maps.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("%s: journal holds %d updates, want %d:\n got %v\nwant %v", what, len(got), len(want), texts(got), texts(want))
	}
}

// texts shows a journal's raw updates as (quoted) text.
func texts(m map[int64][]byte) map[int64]string {
	out := make(map[int64]string, len(m))
	for id, raw := range m {
		out[id] = strconv.Quote(string(raw))
	}
	return out
}

func rawUpdate(id int64, text string) []byte {
	return fmt.Appendf(nil, `{"update_id":%d,"message":{"text":%q}}`, id, text)
}

// The update journal of a lone poller: updates journaled are read back as
// written; journaling an id again replaces it; UpdatesDone removes its ids,
// journaled or not; empty inputs change nothing.
func TestUpdateJournal(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	must(t, s.JournalUpdates(ctx, nil))
	must(t, s.JournalUpdates(ctx, map[int64][]byte{}))
	checkJournal(t, s, "empty", map[int64][]byte{})

	const big = 1 << 40 // Telegram's update ids are large
	want := map[int64][]byte{
		1:       rawUpdate(1, "/start"),
		2:       rawUpdate(2, "同意"),
		big + 3: rawUpdate(big+3, "binary \x00\xff"),
	}
	must(t, s.JournalUpdates(ctx, maps.Clone(want)))
	checkJournal(t, s, "after journaling 3", want)

	must(t, s.JournalUpdates(ctx, map[int64][]byte{2: rawUpdate(2, "不同意")}))
	want[2] = rawUpdate(2, "不同意")
	checkJournal(t, s, "after journaling update 2 again", want)
	must(t, s.JournalUpdates(ctx, map[int64][]byte{2: rawUpdate(2, "不同意")})) // a retry
	checkJournal(t, s, "after a retry", want)

	must(t, s.UpdatesDone(ctx, []int64{1, big + 3}))
	checkJournal(t, s, "after UpdatesDone of 1 and big+3", map[int64][]byte{2: want[2]})
	if got := seen(t, s, 1, 2, big+3); !got[0] || got[1] || !got[2] {
		t.Errorf("seen after UpdatesDone of 1 and big+3 = %v, want [true false true]", got)
	}

	must(t, s.UpdatesDone(ctx, []int64{7, 8})) // never journaled
	must(t, s.UpdatesDone(ctx, []int64{1}))    // done again
	checkJournal(t, s, "after UpdatesDone of ids not journaled", map[int64][]byte{2: want[2]})

	// More updates than one getUpdates answer (100), half of them done.
	many := map[int64][]byte{}
	var done []int64
	for id := int64(1000); id < 1300; id++ {
		many[id] = rawUpdate(id, fmt.Sprint("text ", id))
		if id%2 == 0 {
			done = append(done, id)
		}
	}
	must(t, s.JournalUpdates(ctx, maps.Clone(many)))
	must(t, s.UpdatesDone(ctx, append(done, 2)))
	want = map[int64][]byte{}
	for id, raw := range many {
		if id%2 != 0 {
			want[id] = raw
		}
	}
	checkJournal(t, s, "after journaling 300 and marking the even ones and 2 done", want)
}
