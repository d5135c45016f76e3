package store_test

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/redistest"
	"github.com/renovote/renovote/store/storetest"
)

// pressRaw is a vote press as Telegram gives it, for the journal.
const pressRaw = `{"update_id":%d,"callback_query":{"id":"%d","chat_instance":"-5543300350218","data":"v:a:3cdebaab",` +
	`"from":{"id":%d,"is_bot":false,"first_name":"居民","language_code":"zh"},"message":{"message_id":4,"date":1589076000,` +
	`"chat":{"id":%d,"type":"private","first_name":"居民"},"text":"🏠 武装部小区 1栋 1单元 202\n✅ 已记录：不同意\n回执号：7TBFXZD6"}}}`

// BenchmarkPressMix asks of the store what the bot asks of it per vote press
// under load (renovote load): the turn's read (ReadTurn), the vote
// (CastVoteView), and the lone poller's journal, a write per poll of 15
// updates and their deletion once handled (JournalDone), from 100
// goroutines at once, on a redis-server of its own with appendonly yes and
// appendfsync always. It reports the server's CPU time per press
// (redis-µs/op), read from INFO cpu: the part of a press's cost the load's
// CPU per press in the store's server shows, without the noise of the fake
// Telegram and the bots. Skipped without redis-server on the PATH.
func BenchmarkPressMix(b *testing.B) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		b.Skip("needs redis-server on the PATH")
	}
	srv := redistest.StartServer(b, "--appendonly", "yes", "--appendfsync", "always")
	rdb := srv.Client(b)
	s := storetest.NewOn(b, rdb, store.Options{})
	ctx := context.Background()
	p := programme.Seed()
	if err := s.ApplyProgramme(ctx, p); err != nil {
		b.Fatal(err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range register.GenerateSeed(p, 2020) {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	var now time.Time
	var hhs []renovote.Household
	for _, c := range p.Compounds {
		if now.IsZero() {
			now = c.Ballot.Opens.Add(time.Hour)
		}
		if _, err := s.ImportRegister(ctx, c.ID, byCompound[c.ID], store.ImportOptions{Actor: "bench", Now: now}); err != nil {
			b.Fatal(err)
		}
		if c.Ballot.State(now) == renovote.Open {
			hhs = append(hhs, byCompound[c.ID]...)
		}
	}
	hhs = hhs[:min(len(hhs), 200)]
	const user = 700000000
	for i, h := range hhs {
		if err := s.Bind(ctx, int64(user+i), h.Ref(), 5, now); err != nil {
			b.Fatal(err)
		}
	}
	var (
		seq      atomic.Int64
		mu       sync.Mutex
		journal  []int64 // taken, to journal
		handled  []int64 // to delete from the journal
		through  int64
		failures atomic.Int64
	)
	take := func(list *[]int64, id int64, every int64) []int64 {
		mu.Lock()
		defer mu.Unlock()
		*list = append(*list, id)
		if id%every != 0 {
			return nil
		}
		out := *list
		*list = nil
		return out
	}
	cpu0 := serverCPU(b, rdb)
	b.ResetTimer()
	b.SetParallelism(50)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := seq.Add(1)
			k := int(id % int64(len(hhs)))
			uid := int64(user + k)
			if ids := take(&journal, id, 15); ids != nil {
				ups := make(map[int64][]byte, len(ids))
				for _, j := range ids {
					ups[j] = fmt.Appendf(nil, pressRaw, j, j, uid, uid)
				}
				mu.Lock()
				through = max(through, id)
				th := through
				mu.Unlock()
				if err := s.JournalUpdates(ctx, ups, th); err != nil {
					failures.Add(1)
				}
			}
			if _, _, _, _, err := s.ReadTurn(ctx, "chat:"+strconv.FormatInt(uid, 10), uid); err != nil {
				failures.Add(1)
				continue
			}
			choice := []renovote.Choice{renovote.ChoiceAgree, renovote.ChoiceDisagree}[(id/int64(len(hhs)))%2]
			if _, _, _, err := s.CastVoteView(ctx, renovote.VoteCmd{Ref: hhs[k].Ref(), Choice: choice,
				Channel: renovote.ChannelChat, Actor: "tg:" + strconv.FormatInt(uid, 10), OpID: "tg:upd:" + strconv.FormatInt(id, 10),
				ReceiptID: "BENCH001", At: now, UpdateID: id}); err != nil {
				failures.Add(1)
				continue
			}
			if ids := take(&handled, id, 15); ids != nil {
				if err := s.JournalDone(ctx, ids); err != nil {
					failures.Add(1)
				}
			}
		}
	})
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d store calls failed", n)
	}
	b.ReportMetric(float64((serverCPU(b, rdb)-cpu0).Microseconds())/float64(b.N), "redis-µs/op")
}

// serverCPU is the CPU time a Redis server has used (user and system), from
// INFO cpu.
func serverCPU(b *testing.B, rdb *redis.Client) time.Duration {
	b.Helper()
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for line := range strings.SplitSeq(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("INFO cpu %s: %v", k, err)
			}
			total += time.Duration(f * float64(time.Second))
		}
	}
	return total
}
