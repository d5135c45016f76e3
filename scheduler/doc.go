// Package scheduler wires robfig/cron/v3 jobs: phase announcements, ballot
// windows, reminders (later issues). Jobs compute and enqueue; they never call
// Telegram, and this package must not import go-telegram or the bot package.
//
// Every job runs in the programme's time zone (never the machine's), inside
// cron.SkipIfStillRunning (outermost) and cron.Recover (inner), so one panic is
// logged and the job still runs at its next tick.
//
// Exactly once across processes: with Config.Runs (the store) every run is
// claimed in Redis first, keyed by the job's name and its cron tick in UTC
// (not the wall clock at execution), with SET NX and a lease that the holder
// extends while the job runs; the run is then marked done with its outcome
// (ok, or failed for an error or a recovered panic) and listed in the job's
// history. A process that dies holding a claim blocks that run only until the
// lease expires; another process then takes it, as it was never marked done.
// Jobs should still be idempotent: a holder that loses its lease mid-run (a
// long pause) is cancelled, but may have done part of the work.
//
// A process whose clock jumps (the sandbox's time travel) does not start the
// cron: it calls RunDue with the old and new time, which runs the skipped ticks
// in order, each with its run's Now at its tick (see Due for which ticks of
// the minute checks run).
//
// Jobs: "notices" (every minute) queues the scheduled notices whose time has
// come, marking those queued more than LateAfter after their time as late;
// "consumers" (hourly, on Redis) deletes the stream consumers of dead replicas
// and senders that hold nothing (store.PruneConsumers).
package scheduler
