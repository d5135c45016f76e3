package bot

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
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

// BenchmarkOutboxThroughput measures the outbox sender against Telegram-like
// limits in bottest: one broadcast per iteration (it runs once at the
// default -benchtime), through the real client over HTTP, with the global
// limit of the fake at the bot's rate × 30/25 (Telegram allows ~30/s, the bot
// uses 25/s by default) and one message per second per chat. It reports
// msgs/s achieved, ratio = msgs/s ÷ the configured rate (the goal: ≥ 0.95)
// and 429s = the fake's 429 answers (the goal: 0). rate=1000 shows the
// sender keeps up at a high configured rate (10,000 at 25/s would take
// 400s); rate=25 is the default.
//
//	go test -run '^$' -bench OutboxThroughput ./bot/
func BenchmarkOutboxThroughput(b *testing.B) {
	for _, c := range []struct {
		rate       float64
		recipients int
	}{{1000, 10_000}, {25, 500}} {
		b.Run(fmt.Sprintf("rate=%g/recipients=%d", c.rate, c.recipients), func(b *testing.B) {
			benchOutbox(b, c.rate, c.recipients)
		})
	}
}

func benchOutbox(b *testing.B, perSec float64, recipients int) {
	var sent, limited int
	var elapsed time.Duration
	for range b.N {
		b.StopTimer()
		e := newEnv(b, bottest.WithRateLimits(bottest.RateLimits{
			GlobalPerSecond: int(perSec * 30 / 25), PerChatPerSecond: 1, GroupPerMinute: 20,
		}))
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(float64(recipients)/perSec*2+30)*time.Second)
		e.ctx = ctx
		ob := newMemOutbox()
		chats := e.users(100_000, recipients)
		r := e.run(e.newBot(echo, withOutbox(ob, func(c *Config) { c.Rate = perSec })))
		b.StartTimer()
		t0 := time.Now()
		id := ob.add(renovote.Notice{Kind: renovote.KindNotice, Text: "通知", By: "staff"}, chats...)
		n, err := ob.waitDone(ctx, id)
		elapsed += time.Since(t0)
		b.StopTimer()
		if err != nil || n.Counts.Delivered != int64(recipients) {
			b.Fatalf("notice %+v: %v", n.Counts, err)
		}
		sent += recipients
		limited += e.srv.RateLimited()
		e.stop(r)
		cancel()
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(sent)/elapsed.Seconds()/perSec, "ratio")
	b.ReportMetric(float64(limited), "429s")
}
