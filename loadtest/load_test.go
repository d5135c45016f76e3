package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store/storetest"
)

// A small run, by a count of presses (no timing): both bots measured twice,
// the figures sane, the store consistent with what the residents were told.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var progress bytes.Buffer
	res, err := Run(ctx, Config{Store: storetest.New(t), Backend: storetest.Backend(), Residents: 7, Presses: 40, Rounds: 2, Progress: &progress})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	for _, f := range []Figures{res.Full, res.Bare} {
		if f.Presses != 80 || f.Failed != 0 {
			t.Errorf("%s: %d presses, %d failed; want 80 and 0", f.Bot, f.Presses, f.Failed)
		}
		if f.Seconds <= 0 || f.PerSecond <= 0 {
			t.Errorf("%s: %d presses in %gs: %g/s", f.Bot, f.Presses, f.Seconds, f.PerSecond)
		}
		for _, l := range []Latency{f.Latency, f.Answer} {
			if !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max) {
				t.Errorf("%s: percentiles not ordered: %+v", f.Bot, l)
			}
		}
		if f.Answer.Max > f.Latency.Max {
			t.Errorf("%s: the answer alone slower than answer and edit: %v > %v", f.Bot, f.Answer.Max, f.Latency.Max)
		}
	}
	if want := res.Full.PerSecond / res.Bare.PerSecond; res.Ratio != want {
		t.Errorf("ratio %g, want %g", res.Ratio, want)
	}
	c := res.Check
	// 2 rounds × 40 measured presses, and a warm-up press per resident per round.
	if !c.OK || !c.CountersEqualRecount || !c.ChoicesMatch || c.Acknowledged != 80+2*7 || c.AuditEntries != c.Acknowledged || c.Unanswered != 0 {
		t.Errorf("check: %+v", c)
	}
	if c.Compounds != 5 {
		t.Errorf("residents in %d compounds, want the seed's 5", c.Compounds)
	}

	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"7 residents", "full ", "bare ", "throughput full/bare", "OK\n"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	full, _ := back["full"].(map[string]any)
	lat, _ := full["latency_ms"].(map[string]any)
	if full["presses_per_second"] == nil || lat["p99"] == nil || back["ratio"] == nil {
		t.Errorf("JSON lacks figures: %s", raw)
	}
	if !strings.Contains(progress.String(), "round 2, full bot") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

// More residents than households with an open ballot, or a store that is
// not empty, are refused before anything runs.
func TestRunRefuses(t *testing.T) {
	ctx := context.Background()
	_, err := Run(ctx, Config{Store: storetest.New(t), Residents: 809, Presses: 1})
	if !errors.Is(err, renovote.ErrInvalid) {
		t.Errorf("809 residents: %v, want ErrInvalid", err)
	}
	st := storetest.New(t)
	if _, err := Run(ctx, Config{Store: st, Residents: 1, Presses: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, Config{Store: st, Residents: 1, Presses: 1}); err == nil || !strings.Contains(err.Error(), "already holds a programme") {
		t.Errorf("second run on the same store: %v", err)
	}
}

func TestLatency(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := latency(ds)
	if l.P50 != 50*time.Millisecond || l.P90 != 90*time.Millisecond || l.P99 != 99*time.Millisecond || l.Max != 100*time.Millisecond || l.P99ms != 99 {
		t.Errorf("latency of 1..100 ms: %+v", l)
	}
	if one := latency([]time.Duration{time.Second}); one.P50 != time.Second || one.Max != time.Second {
		t.Errorf("one sample: %+v", one)
	}
	if (latency(nil) != Latency{}) {
		t.Error("no samples: want zero")
	}
}

// StartRedis runs a server with the append-only file fsynced at every
// write and the directives given, and Close removes its directory.
func TestStartRedis(t *testing.T) {
	if _, err := StartRedis(context.Background(), "", t.TempDir(), "maxmemory-policy"); err == nil {
		t.Error("a directive without a value: no error")
	}
	r, err := StartRedis(context.Background(), "", t.TempDir(), "hash-max-listpack-entries", "16")
	if errors.Is(err, errNoRedisServer) {
		t.Skip("no redis-server on PATH")
	}
	if err != nil {
		t.Fatal(err)
	}
	dir := r.Dir
	defer r.Close()
	for param, want := range map[string]string{"appendonly": "yes", "appendfsync": "always", "save": "", "hash-max-listpack-entries": "16"} {
		got, err := r.query("CONFIG", "GET", param)
		if err != nil || len(got) != 2 || got[1] != want {
			t.Errorf("CONFIG GET %s: %q %v, want %q", param, got, err, want)
		}
	}
	r.Close()
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("directory left: %v", err)
	}
	if _, err := r.query("PING"); err == nil {
		t.Error("the server still answers after Close")
	}
}
