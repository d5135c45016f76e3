package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote/bot"
)

// parseReplicas reads the replica mode's settings into c and returns their
// problems: RENOVOTE_REPLICAS, the number of bot processes running for the
// bot on one Redis (1: this one alone, today's mode; 2 or more: an elected
// poller and one rate limit for all, bot.ReplicaConfig), and
// RENOVOTE_REPLICA_LEASE.
func parseReplicas(c *config, vals map[string]*string) []string {
	var problems []string
	raw := strings.TrimSpace(*vals["RENOVOTE_REPLICAS"])
	if n, err := strconv.Atoi(raw); err != nil || n < 1 || n > 64 {
		problems = append(problems, fmt.Sprintf("RENOVOTE_REPLICAS (-replicas): %q is not a number of bot processes from 1 to 64", raw))
	} else {
		c.Replicas = n
	}
	raw = strings.TrimSpace(*vals["RENOVOTE_REPLICA_LEASE"])
	if d, err := time.ParseDuration(raw); err != nil || d < 500*time.Millisecond || d > 5*time.Minute {
		problems = append(problems, fmt.Sprintf("RENOVOTE_REPLICA_LEASE (-replica-lease): %q is not a duration from 500ms to 5m", raw))
	} else {
		c.ReplicaLease = d
	}
	if c.Replicas > 1 && c.RedisURL == "" {
		problems = append(problems, "RENOVOTE_REPLICAS (-replicas) above 1 needs REDIS_URL: the replicas share Redis (the SQLite store serves one process)")
	}
	return problems
}

// replicaStore is what replica mode needs of the store: *store.Store has it.
type replicaStore interface {
	bot.ReplicaStore
	bot.SharedLimit
}

// replicaConfig is the bot's replica mode: off with RENOVOTE_REPLICAS 1. The
// elected poller runs when the bot long-polls (webhook replicas get their
// updates from the load balancer); the shared rate limit runs either way.
func (c *cli) replicaConfig(st Store) (bot.ReplicaConfig, error) {
	if c.cfg.Replicas <= 1 {
		return bot.ReplicaConfig{}, nil
	}
	rs, ok := st.(replicaStore)
	if !ok {
		return bot.ReplicaConfig{}, fmt.Errorf("RENOVOTE_REPLICAS %d needs the Redis store (REDIS_URL)", c.cfg.Replicas)
	}
	rc := bot.ReplicaConfig{Limit: rs, Count: c.cfg.Replicas, Lease: c.cfg.ReplicaLease}
	if c.cfg.WebhookURL == "" {
		rc.Store = rs
	}
	c.log.Info("replica mode: one of several bot processes on one Redis", "replicas", c.cfg.Replicas,
		"lease", c.cfg.ReplicaLease, "elected_poller", rc.Store != nil)
	return rc, nil
}
