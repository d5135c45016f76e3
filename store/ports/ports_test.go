// Package ports checks at compile time that the store serves the ports of the
// conversations and of the bot. It is apart from the store's own tests so that
// those build while the other packages are being changed.
package ports_test

import (
	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/store"
)

var (
	// The store serves every port the conversations need,
	_ dialogs.Store = (*store.Store)(nil)
	// and the bot's outbox,
	_ bot.Outbox = (*store.Store)(nil)
	// and reads staff invitations for the confirmation screen,
	_ dialogs.StaffInviteReader = (*store.Store)(nil)
	// and keeps residents' objections.
	_ dialogs.Objections = (*store.Store)(nil)
)
