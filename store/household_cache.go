package store

import (
	"sync"

	"github.com/renovote/renovote"
)

// maxCachedHouseholds bounds the household decode cache: when full, it is
// emptied and fills again with the households pressing at the moment.
const maxCachedHouseholds = 4096

// householdCache keeps households decoded from their stored JSON, keyed by
// that JSON: a vote returns the household it found, and decoding the same
// unchanged JSON again on every press cost about as much as the rest of the
// receipt. A changed household is a new key, so the cache never serves a
// stale one; Household holds no reference types, so a copy is safe to share.
type householdCache struct {
	mu sync.Mutex
	m  map[string]renovote.Household
}

// decode returns the household of js, from the cache or decoded and kept.
func (c *householdCache) decode(js string) (renovote.Household, error) {
	c.mu.Lock()
	h, ok := c.m[js]
	c.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := decodeHousehold(js)
	if err != nil {
		return h, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedHouseholds {
		c.m = make(map[string]renovote.Household, 256)
	}
	c.m[js] = h
	c.mu.Unlock()
	return h, nil
}
