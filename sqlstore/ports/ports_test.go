// Package ports checks at compile time that the SQLite store serves the
// ports of the conversations, the bot, the scheduler, the reports and the
// health check. It is apart from the store's own tests so that those build
// while the other packages are being changed.
package ports_test

import (
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/metrics"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/scheduler"
	"github.com/renovote/renovote/sqlstore"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/web"
)

var (
	_ store.Backend             = (*sqlstore.Store)(nil)
	_ dialogs.Store             = (*sqlstore.Store)(nil)
	_ dialogs.StaffInviteReader = (*sqlstore.Store)(nil)
	_ dialogs.Objections        = (*sqlstore.Store)(nil)
	_ bot.Dedupe                = (*sqlstore.Store)(nil)
	_ bot.UpdateClaims          = (*sqlstore.Store)(nil)
	_ bot.Outbox                = (*sqlstore.Store)(nil)
	_ scheduler.NoticeStore     = (*sqlstore.Store)(nil)
	_ scheduler.CalendarStore   = (*sqlstore.Store)(nil)
	_ scheduler.History         = (*sqlstore.Store)(nil)
	_ scheduler.Runs            = (*sqlstore.Store)(nil)
	_ report.Source             = (*sqlstore.Store)(nil)
	_ report.CounterSource      = (*sqlstore.Store)(nil)
	_ web.Source                = (*sqlstore.Store)(nil)
	_ metrics.Pinger            = (*sqlstore.Store)(nil)
)
