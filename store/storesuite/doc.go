// Package storesuite is the conformance suite of renovote's stores: the
// behaviour tests of store.Store (Redis) written against the Store interface,
// so that one suite runs, unchanged, on real Redis (REDIS_URL), on miniredis
// and on sqlstore.Store (SQLite). Each store's tests pick the backend with
// Use in an init func and wrap every TestX and BenchmarkX of this package in
// one of the same name (store/suite_test.go, sqlstore/suite_test.go, written
// by `go run ./store/storesuite/genwrappers`; TestWrappersComplete checks they are all there), so
// `go test -run TestCastVoteCounters ./store/ ./sqlstore/` runs the same test
// on both.
//
// It owns the fixture (a programme of three compounds, registers of 8, 55 and
// 220 households), the helpers, and the behaviour tests. Tests of one store's
// machinery stay with that store: the Redis store's scripts, key slots,
// clients, lost replies and legacy keys (store/*_redis_test.go, retry_test.go,
// slots_test.go), the SQLite store's lock, schema and append-only tables
// (sqlstore/store_test.go). Test hooks a store offers only in its own tests
// (a partial enqueue, the outbox's pending count) are reached through Hooks;
// a test that needs them is skipped on a store without them.
//
// Test-only: no production code may import it. It imports the domain and the
// store package (for the value types the two stores share).
package storesuite
