package bot

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote/bot/bottest"
	"github.com/renovote/renovote/dialogs"
)

// BenchmarkUpdateRoundTrip measures the Telegram edge alone: per operation,
// one text message (answered with a reply) and one button press (answered
// with a toast), each through long polling, the dispatcher and the real
// go-telegram client over HTTP to bottest, with a trivial handler. The rate
// limiter is opened up (Config.Rate 1e6; production uses 25/s). users > 1
// runs that many chats at once, sharing b.N.
//
//	go test -run '^$' -bench UpdateRoundTrip ./bot/
func BenchmarkUpdateRoundTrip(b *testing.B) {
	for _, users := range []int{1, 16} {
		b.Run(fmt.Sprintf("users=%d", users), func(b *testing.B) { benchRoundTrip(b, users) })
	}
}

func benchRoundTrip(b *testing.B, users int) {
	e := newEnv(b)
	h := handlerFunc(func(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
		if in.Callback != "" {
			return dialogs.Response{CallbackText: "ok"}, nil
		}
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "pong", Buttons: [][]dialogs.Button{{{Label: "Press", Data: "p"}}}}}}, nil
	})
	e.run(e.newBot(h, nil))

	type chat struct {
		u   *bottest.User
		msg int64 // a bot message with the button
	}
	chats := make([]chat, users)
	for i := range chats {
		u := e.srv.User(int64(10_000+i), "B", "en")
		u.Send("ping")
		chats[i] = chat{u: u, msg: e.reply(u.ID, 0, "pong").ID}
	}

	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	for _, c := range chats {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				// The reply is waited for as a call, not as a message:
				// WaitFor resumes from a mark, the transcript is scanned whole.
				mark := e.srv.Seq()
				c.u.Send("ping")
				if _, err := e.srv.WaitFor(e.ctx, func(x bottest.Call) bool {
					return x.Seq > mark && x.Method == "sendMessage" && x.Int("chat_id") == c.u.ID
				}); err != nil {
					b.Error(err)
					return
				}
				id, err := c.u.Press(c.msg, "p")
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := e.srv.WaitCallbackAnswered(e.ctx, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(2*float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}
