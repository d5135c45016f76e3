package e2e

import (
	"testing"

	"github.com/renovote/renovote/bot/bottest"
)

// BenchmarkVoteThroughBot measures one vote press end to end: the fake Telegram
// queues the callback query, the real client long-polls it, the bot hands it to
// dialogs, the store casts the vote (Lua script, audit entry), the bot answers
// the press and edits the message into a receipt.
//
//	go test -run '^$' -bench VoteThroughBot ./e2e/                                  # miniredis
//	REDIS_URL=redis://127.0.0.1:6379/11 go test -run '^$' -bench VoteThroughBot ./e2e/  # Redis
func BenchmarkVoteThroughBot(b *testing.B) {
	w := newWorld(b)
	const compound = "jinrong"
	h := w.hhs[compound][0]
	u := w.srv.User(90001, "居民", "zh-hans")
	var msg bottest.Message
	if err := w.bindAndOpen(u, w.invites(compound)[h.ID], &msg); err != nil {
		b.Fatal(err)
	}
	var agree, disagree string
	for _, btn := range msg.Buttons() {
		switch (*btn.CallbackData)[:4] {
		case "v:a:":
			agree = *btn.CallbackData
		case "v:d:":
			disagree = *btn.CallbackData
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		data := agree
		if i%2 == 1 {
			data = disagree
		}
		id, err := u.Press(msg.ID, data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.srv.WaitCallbackAnswered(w.ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
}

// BenchmarkVotesThroughBotParallel measures throughput with 100 residents of
// 100 households pressing at once (each waits for its answer before pressing
// again, as a person would).
func BenchmarkVotesThroughBotParallel(b *testing.B) {
	w := newWorld(b)
	const compound = "laozhongyiyuan"
	codes := w.invites(compound)
	type resident struct {
		u    *bottest.User
		msg  bottest.Message
		data [2]string
	}
	var residents []*resident
	for i, h := range w.hhs[compound][:100] {
		residents = append(residents, &resident{u: w.srv.User(int64(91000+i), "居民", "zh-hans")})
		r := residents[i]
		if err := w.bindAndOpen(r.u, codes[h.ID], &r.msg); err != nil {
			b.Fatal(err)
		}
		for _, btn := range r.msg.Buttons() {
			switch (*btn.CallbackData)[:4] {
			case "v:a:":
				r.data[0] = *btn.CallbackData
			case "v:d:":
				r.data[1] = *btn.CallbackData
			}
		}
	}
	next := make(chan *resident, len(residents))
	for _, r := range residents {
		next <- r
	}
	b.SetParallelism(50) // 100 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := <-next
		i := 0
		for pb.Next() {
			id, err := r.u.Press(r.msg.ID, r.data[i%2])
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := w.srv.WaitCallbackAnswered(w.ctx, id); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "votes/s")
	w.tally(compound) // counters still equal the recount
}
