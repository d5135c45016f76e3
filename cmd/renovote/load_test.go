package main

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// loadJSON is part of what load -json prints.
type loadJSON struct {
	Residents int    `json:"residents"`
	Store     string `json:"store"`
	Full      struct {
		Presses   int     `json:"presses"`
		PerSecond float64 `json:"presses_per_second"`
		Latency   struct {
			P50, P99 float64
		} `json:"latency_ms"`
	} `json:"full"`
	Bare struct {
		Presses   int     `json:"presses"`
		PerSecond float64 `json:"presses_per_second"`
	} `json:"bare"`
	Ratio float64 `json:"ratio"`
	Check struct {
		OK           bool  `json:"ok"`
		Acknowledged int64 `json:"presses_acknowledged"`
		AuditEntries int64 `json:"audit_entries"`
	} `json:"check"`
}

// renovote load on REDIS_URL (or miniredis) by a count of presses: sane
// figures, the check passed, and on Redis the run's keys gone afterwards.
func TestLoadCommand(t *testing.T) {
	s := newStaff(t)
	out := s.ok("load", "-residents", "4", "-presses", "20", "-rounds", "1", "-json")
	var got loadJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("load -json: %v\n%s", err, out)
	}
	if got.Residents != 4 || got.Full.Presses != 20 || got.Bare.Presses != 20 || got.Full.PerSecond <= 0 || got.Bare.PerSecond <= 0 ||
		got.Ratio <= 0 || got.Full.Latency.P50 <= 0 || got.Full.Latency.P99 < got.Full.Latency.P50 {
		t.Errorf("figures: %+v", got)
	}
	if !got.Check.OK || got.Check.Acknowledged != 20+4 || got.Check.AuditEntries != got.Check.Acknowledged {
		t.Errorf("check: %+v", got.Check)
	}
	if !strings.Contains(got.Store, "key prefix load:") {
		t.Errorf("store %q: want a key prefix of its own", got.Store)
	}
	keys, err := s.store().Client().Keys(context.Background(), "*").Result()
	if err != nil || len(keys) != 0 {
		t.Errorf("keys left after the run: %d %v", len(keys), err)
	}

	table := s.ok("load", "-residents", "2", "-presses", "4", "-rounds", "1")
	for _, want := range []string{"2 residents", "throughput full/bare", "check:", "OK"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	if err := s.fails("load", "-redis-aof"); !strings.Contains(err.Error(), "REDIS_URL") {
		t.Errorf("-redis-aof with REDIS_URL: %v", err)
	}
}

// renovote load -redis-aof starts a Redis of its own, persisting every write.
func TestLoadCommandRedisAOF(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("no redis-server on PATH")
	}
	s := &staff{t: t, env: map[string]string{}}
	out := s.ok("load", "-redis-aof", "-residents", "3", "-presses", "9", "-rounds", "1", "-json")
	var got loadJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("load -json: %v\n%s", err, out)
	}
	if !strings.Contains(got.Store, "appendfsync always") || !got.Check.OK || got.Full.Presses != 9 {
		t.Errorf("load -redis-aof: %+v", got)
	}
}
