package dialogs

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// BenchmarkVotePress is one vote press through the engine on the in-memory
// fake store: what dialogs costs a press without Redis (the load command
// measures it with Redis and Telegram). Agree and disagree in turn.
func BenchmarkVotePress(b *testing.B) {
	be := newFakeStore(testProgramme(), testRegister())
	const uid = 424242
	if err := be.Bind(context.Background(), uid, ref301, 2, duringBallot); err != nil {
		b.Fatal(err)
	}
	e := New(Config{Store: be, BotUsername: "renovote_bot", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), XLSX: fakeXLSX})
	tok := voteToken(ref301)
	data := [2]string{"v:a:" + tok, "v:d:" + tok}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in := Input{UpdateID: int64(1000 + i), UserID: uid, ChatID: uid, Lang: "zh", Name: "someone", Callback: data[i%2], MessageID: 7}
		resp, err := e.Handle(ctx, in, duringBallot)
		if err != nil || len(resp.Replies) == 0 || resp.CallbackText == "" {
			b.Fatalf("press %d: %+v, %v", i, resp, err)
		}
	}
}
