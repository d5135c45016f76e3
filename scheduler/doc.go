// Package scheduler wires robfig/cron/v3 jobs: phase announcements, ballot
// windows, reminders (later issues). Jobs compute and enqueue; they never call
// Telegram, and this package must not import go-telegram or the bot package.
//
// Every job runs in the programme's time zone (never the machine's), inside
// cron.SkipIfStillRunning (outermost) and cron.Recover (inner), so one panic is
// logged and the job still runs at its next tick.
package scheduler
