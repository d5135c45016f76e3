package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote/store"
)

// parseRedis reads REDIS_URL (one server, Sentinel or Cluster:
// store.ParseRedisURL) and the confirmed mode into c and returns their
// problems. A problem never repeats the URL's password.
func parseRedis(c *config, vals map[string]*string) []string {
	var problems []string
	c.RedisURL = strings.TrimSpace(*vals["REDIS_URL"])
	if c.RedisURL != "" {
		if _, err := store.ParseRedisURL(c.RedisURL); err != nil {
			problems = append(problems, "REDIS_URL (-redis-url): "+redactURL(err.Error(), c.RedisURL))
		}
	}
	raw := strings.TrimSpace(*vals["RENOVOTE_CONFIRM_REPLICAS"])
	if n, err := strconv.Atoi(raw); err != nil || n < 0 || n > 16 {
		problems = append(problems, fmt.Sprintf("RENOVOTE_CONFIRM_REPLICAS (-confirm-replicas): %q is not a number of replicas from 0 to 16", raw))
	} else {
		c.ConfirmReplicas = n
	}
	raw = strings.TrimSpace(*vals["RENOVOTE_CONFIRM_TIMEOUT"])
	if d, err := time.ParseDuration(raw); err != nil || d < 10*time.Millisecond || d > 10*time.Second {
		problems = append(problems, fmt.Sprintf("RENOVOTE_CONFIRM_TIMEOUT (-confirm-timeout): %q is not a duration from 10ms to 10s", raw))
	} else {
		c.ConfirmTimeout = d
	}
	if c.ConfirmReplicas > 0 && c.RedisURL == "" {
		problems = append(problems, "RENOVOTE_CONFIRM_REPLICAS (-confirm-replicas) needs REDIS_URL: replicas are Redis's")
	}
	return problems
}

// storeOptions are the Redis store's options from the configuration.
func (c config) storeOptions() store.Options {
	return store.Options{ConfirmReplicas: c.ConfirmReplicas, ConfirmTimeout: c.ConfirmTimeout}
}
