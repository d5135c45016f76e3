package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/renovote/renovote"
)

// Live updates: /dashboard/events (the overview) and /dashboard/events?c=ID
// (a compound's page) stream Server-Sent Events. Every Config.Poll the
// stream reads the counters of its compounds (their tallies and survey
// counters, in one pipelined call on the store: no register, no votes);
// when a number changed it
// sends an "update" event with the page's cells (see update). A compound's
// page also gets its buildings, recounted only when the compound's tally
// moved. When the session ends the stream sends "expired" and stops.

const (
	// keepAlive: a comment is sent after this many quiet polls, so proxies
	// keep the connection.
	keepAlive = 15
	// recheckEvery: the member's role and scope are checked again after this
	// many polls (Config.Member).
	recheckEvery = 30
	// writeGrace bounds one write to a slow client.
	writeGrace = 10 * time.Second
)

func (d *Dashboard) events(w http.ResponseWriter, r *http.Request, s session) {
	ctx := r.Context()
	p, err := d.src.Programme(ctx)
	if err != nil {
		d.fail(w, r, s.l, "programme", err)
		return
	}
	detail := r.URL.Query().Get("c")
	if detail != "" {
		if _, ok := p.Compound(detail); !ok || !s.covers(detail) {
			d.notFound(w, r, s.l)
			return
		}
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	write := func(format string, args ...any) error {
		if err := rc.SetWriteDeadline(time.Now().Add(d.poll + writeGrace)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		if _, err := fmt.Fprintf(w, format, args...); err != nil {
			return err
		}
		return rc.Flush()
	}
	if write("retry: 3000\n\n") != nil {
		return
	}
	st := &stream{d: d, p: p, detail: detail, tallies: map[string]renovote.Tally{}}
	tick := time.NewTicker(d.poll)
	defer tick.Stop()
	var last []byte
	var failing bool
	for n := 1; ; n++ {
		if !d.now().Before(s.claims.Expires) {
			_ = write("event: expired\ndata: {}\n\n")
			return
		}
		if n%recheckEvery == 0 {
			ns, err := d.sessionFor(ctx, s.claims, s.l)
			switch {
			case errors.Is(err, errNotStaff):
				_ = write("event: expired\ndata: {}\n\n")
				return
			case err == nil:
				s = ns
			}
		}
		u, err := st.read(ctx, s)
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil:
			if !failing {
				d.log.Warn("dashboard: events: read", "err", err)
			}
			failing = true
		default:
			failing = false
			key, _ := json.Marshal(u)
			if string(key) != string(last) {
				last = key
				u.Text["updated"] = d.now().In(location(p)).Format(time.TimeOnly)
				data, _ := json.Marshal(u)
				if write("event: update\ndata: %s\n\n", data) != nil {
					return
				}
			} else if n%keepAlive == 0 && write(": keep-alive\n\n") != nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// stream is the state of one page's live updates.
type stream struct {
	d      *Dashboard
	p      renovote.Programme
	detail string // the compound of a compound's page; "" for the overview
	// tallies are the last counters read, buildings the last buildings'
	// cells of the detail compound.
	tallies   map[string]renovote.Tally
	buildings map[string]string
}

// read reads the counters of the page's compounds and makes its cells.
func (st *stream) read(ctx context.Context, s session) (update, error) {
	u := newUpdate()
	var cs []renovote.Compound
	for _, c := range st.p.Compounds {
		if s.covers(c.ID) && (st.detail == "" || c.ID == st.detail) {
			cs = append(cs, c)
		}
	}
	views, ts, err := summaries(ctx, st.d.src, s.l, cs)
	if err != nil {
		return u, err
	}
	for i, c := range cs {
		views[i].fill(u)
		if c.ID == st.detail {
			if prev, ok := st.tallies[c.ID]; !ok || prev != ts[i] {
				bs, err := readBuildings(ctx, st.d.src, c.ID)
				if err != nil {
					return u, err
				}
				b := newUpdate()
				fillBuildings(c.ID, bs, b)
				st.buildings = b.Text
			}
			for k, v := range st.buildings {
				u.Text[k] = v
			}
		}
		st.tallies[c.ID] = ts[i]
	}
	return u, nil
}
