package dialogs

import (
	"context"
	"testing"
	"time"

	"github.com/renovote/renovote"
)

// /schedule shows staff the scheduled jobs with their next and last runs in
// the programme's zone; residents are refused.
func TestSchedule(t *testing.T) { transcript(t, "schedule", schedule) }

func schedule(w *world) {
	w.bind(zhang, ref301)
	w.setStaff(workerJ, renovote.RoleWorker, "jinrong")
	w.setStaff(bureauE, renovote.RoleBureau)
	w.e.schedule = func(_ context.Context, now time.Time) ([]ScheduleEntry, error) {
		tomorrow19 := time.Date(now.Year(), now.Month(), now.Day()+1, 19, 0, 0, 0, shanghai)
		return []ScheduleEntry{
			{Job: "notices", Spec: "* * * * *", Next: now.Truncate(time.Minute).Add(time.Minute),
				LastTick: now.Truncate(time.Minute), LastOutcome: "ok"},
			{Job: "remind", Spec: "0 19 * * *", Next: tomorrow19.Add(-24 * time.Hour),
				LastTick: tomorrow19.Add(-48 * time.Hour), LastOutcome: "failed", LastError: "store unreachable"},
			{Job: "digest", Spec: "0 8 * * *", Next: time.Date(now.Year(), now.Month(), now.Day()+1, 8, 0, 0, 0, shanghai)},
		}, nil
	}
	w.note("A resident may not see it; staff do, in their language.")
	w.send(zhang, "/schedule")
	w.send(workerJ, "/schedule")
	w.send(bureauE, "/schedule")
}
