package storesuite

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
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

	must(t, s.JournalUpdates(ctx, nil, 0))
	must(t, s.JournalUpdates(ctx, map[int64][]byte{}, 0))
	checkJournal(t, s, "empty", map[int64][]byte{})

	const big = 1 << 40 // Telegram's update ids are large
	want := map[int64][]byte{
		1:       rawUpdate(1, "/start"),
		2:       rawUpdate(2, "同意"),
		big + 3: rawUpdate(big+3, "binary \x00\xff"),
	}
	must(t, s.JournalUpdates(ctx, maps.Clone(want), 0))
	checkJournal(t, s, "after journaling 3", want)

	must(t, s.JournalUpdates(ctx, map[int64][]byte{2: rawUpdate(2, "不同意")}, 0))
	want[2] = rawUpdate(2, "不同意")
	checkJournal(t, s, "after journaling update 2 again", want)
	must(t, s.JournalUpdates(ctx, map[int64][]byte{2: rawUpdate(2, "不同意")}, 0)) // a retry
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
	must(t, s.JournalUpdates(ctx, maps.Clone(many), 0))
	must(t, s.UpdatesDone(ctx, append(done, 2)))
	want = map[int64][]byte{}
	for id, raw := range many {
		if id%2 != 0 {
			want[id] = raw
		}
	}
	checkJournal(t, s, "after journaling 300 and marking the even ones and 2 done", want)
}

// A journaled update's done mark may be its deletion from the journal alone
// (JournalDone): once deleted, it is seen, as long as the journal write said
// every update up to it was journaled (through); one still journaled is not
// seen, nor one above through that was never marked done.
func TestUpdateJournalThrough(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()

	must(t, s.JournalUpdates(ctx, map[int64][]byte{10: rawUpdate(10, "a"), 11: rawUpdate(11, "b")}, 11))
	// A second write: update 13's failed before (not journaled), so through
	// stays below it.
	must(t, s.JournalUpdates(ctx, map[int64][]byte{12: rawUpdate(12, "c"), 14: rawUpdate(14, "d")}, 12))
	if got := seen(t, s, 10, 11, 12, 13, 14); slices.Contains(got, true) {
		t.Fatalf("seen while journaled, before any mark = %v, want all false", got)
	}
	must(t, s.JournalDone(ctx, []int64{10, 12, 14}))
	checkJournal(t, s, "after JournalDone of 10, 12, 14", map[int64][]byte{11: rawUpdate(11, "b")})
	// 14 was deleted from the journal but is above through: without a done
	// mark of its own it may not count as seen (a store that writes done
	// marks anyway may say either); 13 was never journaled nor marked.
	got := seen(t, s, 10, 11, 12, 13)
	if want := []bool{true, false, true, false}; !slices.Equal(got, want) {
		t.Errorf("seen 10, 11, 12, 13 after JournalDone = %v, want %v", got, want)
	}
	must(t, s.UpdatesDone(ctx, []int64{13}))
	if got := seen(t, s, 13); !got[0] {
		t.Error("update 13 not seen after UpdatesDone")
	}
	must(t, s.JournalDone(ctx, nil))
	must(t, s.JournalDone(ctx, []int64{10})) // again
	if got := seen(t, s, 10); !got[0] {
		t.Error("update 10 not seen after a second JournalDone")
	}
	checkJournal(t, s, "at the end", map[int64][]byte{11: rawUpdate(11, "b")})
}
