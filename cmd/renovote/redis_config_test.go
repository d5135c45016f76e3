package main

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func parseEnv(env map[string]string) (config, error) {
	c, _, err := parseConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil, envOf(env), false)
	return c, err
}

// REDIS_URL names one server, a Sentinel master or a Cluster; URLs that would
// read from replicas are refused, and no error repeats a password.
func TestConfigRedisTopologies(t *testing.T) {
	for _, good := range []string{
		"redis://127.0.0.1:6379/0",
		"redis-sentinel://127.0.0.1:26379/0?master_name=renovote&addr=127.0.0.1:26380&addr=127.0.0.1:26381",
		"redis-sentinel://:sentinelpw@10.0.0.1:26379?master_name=renovote&password=masterpw",
		"redis-cluster://127.0.0.1:7000?addr=127.0.0.1:7001&addr=127.0.0.1:7002",
		"rediss-cluster://user:pw@redis.internal:7000",
	} {
		if _, err := parseEnv(map[string]string{"REDIS_URL": good}); err != nil {
			t.Errorf("REDIS_URL %s refused: %v", good, err)
		}
	}
	for bad, want := range map[string]string{
		"redis-sentinel://127.0.0.1:26379/0":                                    "master_name",
		"redis-sentinel://:s3cret@127.0.0.1:26379?master_name=m&replica_only=1": "replica_only",
		"redis-sentinel://127.0.0.1:26379?master_name=m&route_by_latency=true":  "route_by_latency",
		"redis-cluster://:s3cret@127.0.0.1:7000?read_only=true":                 "read_only",
		"redis-cluster://127.0.0.1:7000?route_randomly=true":                    "route_randomly",
		"redis-cluster://:s3cret@127.0.0.1:7000/3":                              "database 0",
		"redis-ring://127.0.0.1:7000":                                           "scheme",
		"redis-sentinel://:s3cret@127.0.0.1:port?master_name=m":                 "REDIS_URL",
		"redis-sentinel://127.0.0.1:26379?master_name=m&password=s3cret&nope=1": "REDIS_URL",
	} {
		_, err := parseEnv(map[string]string{"REDIS_URL": bad})
		if err == nil {
			t.Errorf("REDIS_URL %s accepted", bad)
			continue
		}
		wantContains(t, bad, err.Error(), "REDIS_URL (-redis-url)", want)
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("REDIS_URL %s: the password is in the error:\n%v", bad, err)
		}
	}
}

// The confirmed mode: a number of replicas and a timeout, with Redis only.
func TestConfigConfirmReplicas(t *testing.T) {
	c, err := parseEnv(map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0"})
	if err != nil || c.ConfirmReplicas != 0 || c.ConfirmTimeout != time.Second {
		t.Fatalf("defaults: %d %v (%v)", c.ConfirmReplicas, c.ConfirmTimeout, err)
	}
	c, err = parseEnv(map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0",
		"RENOVOTE_CONFIRM_REPLICAS": "1", "RENOVOTE_CONFIRM_TIMEOUT": "250ms"})
	if err != nil || c.storeOptions().ConfirmReplicas != 1 || c.storeOptions().ConfirmTimeout != 250*time.Millisecond {
		t.Fatalf("set: %+v (%v)", c.storeOptions(), err)
	}
	for env, want := range map[string]string{
		"RENOVOTE_CONFIRM_REPLICAS=-1":  "RENOVOTE_CONFIRM_REPLICAS (-confirm-replicas)",
		"RENOVOTE_CONFIRM_REPLICAS=two": "RENOVOTE_CONFIRM_REPLICAS (-confirm-replicas)",
		"RENOVOTE_CONFIRM_TIMEOUT=1h":   "RENOVOTE_CONFIRM_TIMEOUT (-confirm-timeout)",
		"RENOVOTE_CONFIRM_TIMEOUT=soon": "RENOVOTE_CONFIRM_TIMEOUT (-confirm-timeout)",
	} {
		k, v, _ := strings.Cut(env, "=")
		_, err := parseEnv(map[string]string{"REDIS_URL": "redis://127.0.0.1:6379/0", k: v})
		if err == nil {
			t.Errorf("%s accepted", env)
			continue
		}
		wantContains(t, env, err.Error(), "1 problem(s)", want)
	}
	_, err = parseEnv(map[string]string{"RENOVOTE_CONFIRM_REPLICAS": "1"})
	if err == nil || !strings.Contains(err.Error(), "needs REDIS_URL") {
		t.Errorf("confirmed mode without Redis: %v", err)
	}
}
