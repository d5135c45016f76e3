package redistest

import "syscall"

// sysProcAttr kills a server when the test process dies, so that a test
// killed by its timeout leaves no redis-server behind.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
