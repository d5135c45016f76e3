//go:build !unix

package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// lockDir, where flock is missing, creates DIR/renovote.lock exclusively and
// removes it on Close. A process that dies leaves the file behind: remove it
// by hand once no renovote runs on the directory.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("%w: %s is locked (%s exists); stop the other process, or remove the file if none runs",
			ErrLocked, dir, path)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return f, nil
}

func unlockDir(f *os.File) {
	name := f.Name()
	f.Close()
	_ = os.Remove(name)
}
