package main

import (
	"context"
	"net/http"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/web"
)

// dashboard makes the web dashboard when RENOVOTE_PUBLIC_URL is set (nil
// otherwise). Every request checks the member's current role: admins from
// the configuration, the others from the store.
func (c *cli) dashboard(st Store) (*web.Dashboard, error) {
	if c.cfg.PublicURL == "" {
		return nil, nil
	}
	d, err := web.New(web.Config{Source: st, Secret: []byte(c.cfg.DashboardSecret), PublicURL: c.cfg.PublicURL, Now: c.now, Logger: c.log,
		Member: func(ctx context.Context, userID int64) (renovote.StaffMember, bool, error) {
			for _, id := range c.cfg.Admins {
				if id == userID {
					return renovote.StaffMember{UserID: id, Role: renovote.RoleAdmin, Compounds: []string{renovote.AllCompounds}}, true, nil
				}
			}
			return st.StaffMember(ctx, userID)
		}})
	if err != nil {
		return nil, err
	}
	if d.RandomSecret {
		c.log.Warn("RENOVOTE_DASHBOARD_SECRET is not set: dashboard links and sessions are signed with a random secret and die when the bot restarts (and do not open on another bot process)")
	}
	c.log.Info("web dashboard on", "url", c.cfg.PublicURL+"/dashboard/")
	return d, nil
}

// httpHandler is the HTTP server's: /healthz and /metrics, and the
// dashboard under /dashboard/ when it is on.
func httpHandler(ops http.Handler, d *web.Dashboard) http.Handler {
	if d == nil {
		return ops
	}
	mux := http.NewServeMux()
	mux.Handle("/", ops)
	dh := d.Handler()
	mux.Handle("/dashboard", dh)
	mux.Handle("/dashboard/", dh)
	return mux
}

// dashboardLink is dialogs.Config.DashboardLink: nil when the dashboard is off.
func dashboardLink(d *web.Dashboard) func(renovote.StaffMember, time.Time) (string, time.Time, error) {
	if d == nil {
		return nil
	}
	return d.Link
}
