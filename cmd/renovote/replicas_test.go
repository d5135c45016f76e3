package main

import (
	"flag"
	"io"
	"testing"
	"time"
)

// The replica mode's settings are checked with the others: a count from 1
// to 64, a lease from 500ms, and Redis for more than one process.
func TestReplicaConfigProblems(t *testing.T) {
	s := &staff{t: t}
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"RENOVOTE_REPLICAS": "0", "REDIS_URL": "redis://127.0.0.1:1/0"}, []string{"1 problem(s)", "RENOVOTE_REPLICAS (-replicas)", "from 1 to 64"}},
		{map[string]string{"RENOVOTE_REPLICAS": "two", "REDIS_URL": "redis://127.0.0.1:1/0"}, []string{"1 problem(s)", "RENOVOTE_REPLICAS (-replicas)"}},
		{map[string]string{"RENOVOTE_REPLICAS": "2"}, []string{"1 problem(s)", "needs REDIS_URL"}},
		{map[string]string{"RENOVOTE_REPLICA_LEASE": "100ms"}, []string{"1 problem(s)", "RENOVOTE_REPLICA_LEASE (-replica-lease)"}},
	} {
		c.env["TELEGRAM_TOKEN"] = "123:abcdefghijklmnop"
		s.env = c.env
		wantContains(t, "error", s.fails("run").Error(), c.want...)
	}
	env := map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0", "RENOVOTE_REPLICAS": "3"}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, _, err := parseConfig(fs, []string{"-replica-lease", "2s"}, func(k string) string { return env[k] }, false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Replicas != 3 || cfg.ReplicaLease != 2*time.Second {
		t.Errorf("replicas %d, lease %v", cfg.Replicas, cfg.ReplicaLease)
	}
	cfg, _, err = parseConfig(flag.NewFlagSet("run", flag.ContinueOnError), nil, func(string) string { return "" }, false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Replicas != 1 || cfg.ReplicaLease != 10*time.Second {
		t.Errorf("defaults: replicas %d, lease %v, want 1 and 10s", cfg.Replicas, cfg.ReplicaLease)
	}
}
