// Package storetest gives tests a *store.Store: on the Redis of the REDIS_URL
// environment variable when it is set (e.g. redis://127.0.0.1:6379/9), otherwise
// on an in-process miniredis. Every store gets a random key prefix of its own,
// so tests can run in parallel on one database; on real Redis only that
// prefix's keys are deleted at the end (never FLUSHALL/FLUSHDB). With
// RENOVOTE_TEST_REDIS_CLUSTER (EnvCluster: seed nodes) every store is on that
// Redis Cluster instead, which the cluster tests start and throw away; tests
// of one server (ClientOptions) are skipped there.
//
// Test-only: no production code may import it.
package storetest
