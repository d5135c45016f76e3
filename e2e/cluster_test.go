package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote/store/redistest"
	"github.com/renovote/renovote/store/storetest"
)

// TestConsentOnCluster runs the consent ballot's end-to-end tests again with
// the store on a real Redis Cluster of 3 masters (started from redis-server,
// RENOVOTE_FAILURE_TESTS=1 only): the 55 households of 粮贸小区 binding and
// voting, the rule met at exactly the 37th agreeing household, and the
// concurrent flips of 300 members. The bot, its update de-duplication, its
// sessions and the outbox all run on the cluster.
func TestConsentOnCluster(t *testing.T) {
	redistest.Require(t)
	c := redistest.StartCluster(t, 3, 0)
	o := redistest.RunSelf(t, "^(TestCompoundConsent|TestConcurrentFlips)$", 5*time.Minute,
		storetest.EnvCluster+"="+strings.Join(c.Seeds(), ","))
	t.Logf("on a 3-master cluster: %s", o)
	if o.Pass < 2 {
		t.Errorf("the consent tests did not both pass on the cluster:\n%s", o.Output)
	}
}
