package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/store/redistest"
)

// The staff commands on a Redis Cluster and through Sentinel, as configured
// by REDIS_URL (RENOVOTE_FAILURE_TESTS=1: the test starts redis-servers).

// A SQLite store migrated to a 3-master cluster (redis-cluster://) gives the
// same tally there; paper ballots and the tally run on it.
func TestStaffCommandsOnCluster(t *testing.T) {
	redistest.Require(t)
	setNow(t, inWindow)
	c := redistest.StartCluster(t, 3, 0)
	seeds := c.Seeds()
	url := fmt.Sprintf("redis-cluster://%s?addr=%s&addr=%s", seeds[0], seeds[1], seeds[2])

	dir := t.TempDir()
	lite := &staff{t: t, env: map[string]string{"RENOVOTE_DATA": dir}}
	lite.seed()
	lite.ok("paper", "liangmao", "1-1-101", "agree", "-by", "王芳")
	want := lite.ok("tally", "-json")
	out := lite.ok("migrate", "-from", "sqlite:"+dir, "-to", url)
	wantContains(t, "migrate", out, "migrated: 5 compounds", "808 households", "1 votes")

	cl := &staff{t: t, env: map[string]string{"REDIS_URL": url}}
	if got := cl.ok("tally", "-json"); got != want {
		t.Errorf("tally on the cluster:\n%s\nwant\n%s", got, want)
	}
	wantContains(t, "paper", cl.ok("paper", "jinrong", "1-1-101", "disagree", "-by", "王芳", "-channel", "proxy"), "recorded disagree")
	wantContains(t, "tally", cl.ok("tally"), "金融小区")
}

// Through Sentinel in the confirmed mode: a paper ballot is recorded while
// the master's replica is up, and said PENDING once it is gone.
func TestStaffCommandsThroughSentinel(t *testing.T) {
	redistest.Require(t)
	setNow(t, inWindow)
	rep := redistest.StartReplicated(t, 1, 0)
	sent := redistest.StartSentinels(t, 3, "renovote", rep.Master, 1, time.Second)
	a := sent.Addrs()
	url := fmt.Sprintf("redis-sentinel://%s/0?master_name=renovote&addr=%s&addr=%s", a[0], a[1], a[2])
	s := &staff{t: t, env: map[string]string{"REDIS_URL": url,
		"RENOVOTE_CONFIRM_REPLICAS": "1", "RENOVOTE_CONFIRM_TIMEOUT": "200ms"}}
	s.seed()
	out := s.ok("paper", "liangmao", "1-1-101", "agree", "-by", "王芳")
	if !strings.HasPrefix(out, "recorded agree") {
		t.Errorf("paper with the replica up: %q", out)
	}
	rep.Replicas[0].Kill()
	out = s.ok("paper", "liangmao", "1-1-102", "disagree", "-by", "王芳")
	if !strings.Contains(out, "PENDING") || strings.HasPrefix(out, "recorded") {
		t.Errorf("paper with the replica gone: %q", out)
	}
	wantContains(t, "tally", s.ok("tally", "-json"), `"agree": 1`, `"disagree": 1`)
}
