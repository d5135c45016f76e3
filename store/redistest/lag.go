package redistest

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// LagProxy forwards TCP connections to a target, delaying what the target
// sends by a fixed lag (what the client sends goes at once): a replica
// replicating through it is that far behind its master, as over a slow
// network. When the target closes (a master killed), what is still delayed
// is dropped with it: those writes never reach the replica.
type LagProxy struct {
	Addr string
	ln   net.Listener
	wg   sync.WaitGroup
}

// StartLagProxy listens on a free loopback port and forwards to target with
// the lag; it is closed at the test's cleanup.
func StartLagProxy(t testing.TB, target string, lag time.Duration) *LagProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("redistest: lag proxy: %v", err)
	}
	p := &LagProxy{Addr: ln.Addr().String(), ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() { defer p.wg.Done(); p.serve(c, target, lag) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

type chunk struct {
	at   time.Time
	data []byte
}

func (p *LagProxy) serve(c net.Conn, target string, lag time.Duration) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(up, c); up.Close() }() // client → target: at once
	q := make(chan chunk, 1<<16)
	done := make(chan struct{})
	go func() { // target → client: each chunk at its time plus the lag
		defer close(done)
		for ch := range q {
			if d := time.Until(ch.at.Add(lag)); d > 0 {
				time.Sleep(d)
			}
			if _, err := c.Write(ch.data); err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := up.Read(buf)
		if n > 0 {
			select {
			case q <- chunk{time.Now(), append([]byte(nil), buf[:n]...)}:
			case <-done:
				return
			}
		}
		if err != nil {
			// The target is gone: drop what is still delayed.
			c.Close()
			close(q)
			<-done
			return
		}
	}
}
