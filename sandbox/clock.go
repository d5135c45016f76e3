package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/renovote/renovote"
)

// ClockFile is the clock's file in the sandbox directory.
const ClockFile = "clock.json"

// Clock is the sandbox's time: the real time plus an offset. Jump moves it
// forward; it never goes back. Through is how far the scheduler's ticks have
// been run. Both are kept in DIR/clock.json.
type Clock struct {
	path string
	real func() time.Time

	mu      sync.Mutex
	offset  time.Duration
	through time.Time
}

type clockFile struct {
	Offset  time.Duration `json:"offset_ns"`
	Through time.Time     `json:"through"`
	Now     time.Time     `json:"now"` // for people reading the file
}

// OpenClock reads the clock of a sandbox directory, or starts a new one at
// start (through = start) when the directory has none.
func OpenClock(dir string, start time.Time) (*Clock, error) {
	return openClock(dir, start, time.Now)
}

func openClock(dir string, start time.Time, real func() time.Time) (*Clock, error) {
	c := &Clock{path: filepath.Join(dir, ClockFile), real: real}
	data, err := os.ReadFile(c.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		c.offset, c.through = start.Sub(real()), start
		if err := c.save(); err != nil {
			return nil, err
		}
		return c, nil
	case err != nil:
		return nil, fmt.Errorf("sandbox clock: %w", err)
	}
	var f clockFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("sandbox clock %s: %w", c.path, err)
	}
	c.offset, c.through = f.Offset, f.Through
	return c, nil
}

// Now is the sandbox's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.real().Add(c.offset)
}

// Offset is how far the sandbox's time is from the real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// Jump moves the clock forward to t. A t not after now is refused with
// renovote.ErrInvalid: the sandbox's time does not go back.
func (c *Clock) Jump(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.real()
	if !t.After(now.Add(c.offset)) {
		return fmt.Errorf("sandbox clock: %s is not after now (%s): %w", t.Format(time.RFC3339), now.Add(c.offset).Format(time.RFC3339), renovote.ErrInvalid)
	}
	old := c.offset
	c.offset = t.Sub(now)
	if err := c.saveLocked(); err != nil {
		c.offset = old
		return err
	}
	return nil
}

// Through is the time up to which the scheduled jobs have run.
func (c *Clock) Through() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.through
}

// SetThrough records that the scheduled jobs have run up to t, in the file
// when save (a stale file only makes a restart look at ticks again, which
// their claims have marked done).
func (c *Clock) SetThrough(t time.Time, save bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.through = t
	if !save {
		return nil
	}
	return c.saveLocked()
}

func (c *Clock) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saveLocked()
}

func (c *Clock) saveLocked() error {
	data, err := json.MarshalIndent(clockFile{Offset: c.offset, Through: c.through, Now: c.real().Add(c.offset)}, "", "  ")
	if err != nil {
		return fmt.Errorf("sandbox clock: %w", err)
	}
	return writeFileAtomic(c.path, data)
}

// writeFileAtomic writes data to path through a temporary file and a rename,
// so that a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
