// Package redistest starts real Redis topologies for the failure tests, from
// the redis-server and redis-cli binaries: single servers with replicas,
// Sentinels (redis-server --sentinel) and a Redis Cluster, each on a free
// loopback port with its files in t.TempDir(), killed (SIGKILL) at the
// test's cleanup — and, on Linux, when the test process dies. Every wait is
// bounded.
//
// The tests that use it are heavy (seconds to minutes, several processes on a
// 2-core machine): Require skips them unless RENOVOTE_FAILURE_TESTS=1, and
// then fails them when the binaries are missing. RunSelf runs tests of the
// current test binary again in a child process with extra environment (a
// conformance suite on a cluster, with storetest.EnvCluster).
//
// Test-only: no production code may import it. It imports go-redis and the
// standard library only.
package redistest
