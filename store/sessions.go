package store

import (
	"context"
	"fmt"
	"time"
)

// GetSession returns a conversation's session bytes; nil, nil when there is none.
func (s *Store) GetSession(ctx context.Context, key string) ([]byte, error) {
	b, err := s.rdb.Get(ctx, s.k.session(key)).Bytes()
	if isNil(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return b, nil
}

// PutSession stores a session for ttl (ttl <= 0: no expiry).
func (s *Store) PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	if ttl < 0 {
		ttl = 0
	}
	if err := s.rdb.Set(ctx, s.k.session(key), data, ttl).Err(); err != nil {
		return fmt.Errorf("put session: %w", err)
	}
	return nil
}

// DeleteSession drops a session; a no-op when there is none.
func (s *Store) DeleteSession(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.k.session(key)).Err(); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}
