package dialogs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"testing"

	"github.com/renovote/renovote"
)

// fakeDashboard stands in for web.Dashboard.Link: a link that shows the
// claims it was signed for.
type fakeDashboard struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeDashboard) link(m renovote.StaffMember, now time.Time) (string, time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := fmt.Sprintf("%d %s %s", m.UserID, m.Role, strings.Join(m.Compounds, ","))
	f.calls = append(f.calls, call)
	if f.err != nil {
		return "", time.Time{}, f.err
	}
	return fmt.Sprintf("https://vote.example.org/dashboard/login?t=signed(%d,%s,%s)", m.UserID, m.Role, strings.Join(m.Compounds, ",")),
		now.Add(10 * time.Minute), nil
}

func TestDashboard(t *testing.T) { transcript(t, "dashboard", dashboardRun) }

// dashboardRun: /dashboard when the dashboard is off, then on: the bureau,
// an admin and a worker get links for their scope; residents and strangers
// are refused; a failure to sign says so.
func dashboardRun(w *world) {
	w.setStaff(bureau, renovote.RoleBureau)
	w.setStaff(workerE, renovote.RoleWorker, "jinrong")
	w.bind(zhang, ref301)

	w.note("The dashboard is not configured: staff are told so, residents refused.")
	w.send(bureau, "/dashboard")
	w.send(zhang, "/dashboard")

	fd := &fakeDashboard{}
	w.e.dashLink = fd.link
	w.note("Configured: each member of staff gets a link for their scope.")
	w.send(bureau, "/dashboard")
	w.send(admin, "/dashboard")
	w.send(workerE, "/dashboard")
	w.send(bureau, "/help")

	w.note("Residents and strangers are refused; nothing is signed for them.")
	w.send(zhang, "/dashboard")
	w.send(nobody, "/dashboard")

	w.note("Signing fails: the member is told, nothing else.")
	fd.err = errors.New("entropy ran out")
	w.send(bureau, "/dashboard")

	want := []string{"950 bureau ", "1 admin *", "901 worker jinrong", "950 bureau "}
	if !slices.Equal(fd.calls, want) {
		w.t.Fatalf("links signed for %q, want %q", fd.calls, want)
	}
}

// The help of staff names /dashboard only when it is configured.
func TestDashboardHelp(t *testing.T) {
	w := newWorld(t, newFakeStore(testProgramme(), testRegister()))
	w.setStaff(bureau, renovote.RoleBureau)
	if got := w.send(bureau, "/help").Replies[0].Text; strings.Contains(got, "/dashboard") {
		t.Errorf("help names /dashboard while it is off:\n%s", got)
	}
	w.e.dashLink = (&fakeDashboard{}).link
	if got := w.send(bureau, "/help").Replies[0].Text; !strings.Contains(got, "/dashboard 网页看板") {
		t.Errorf("help lacks /dashboard:\n%s", got)
	}
	if got := w.send(zhang, "/help").Replies[0].Text; strings.Contains(got, "/dashboard") {
		t.Errorf("a resident's help names /dashboard:\n%s", got)
	}
}
