package bot

import (
	"context"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
)

// Menus is implemented by a Handler whose users have roles (dialogs.Engine
// does): staff get a command menu of their own, set with a chat scope.
type Menus interface {
	RoleOf(ctx context.Context, userID int64) (renovote.Role, error)
	StaffUsers(ctx context.Context) ([]int64, error)
}

// menuLangs are the languages menus are set in: the default (Chinese) and English.
var menuLangs = []string{"", "en"}

// setCommands publishes the residents' menu for everyone, then each staff
// member's own; a failure is logged, not fatal.
func (b *Bot) setCommands(ctx context.Context) {
	if b.cfg.Commands == nil {
		return
	}
	for _, lang := range menuLangs {
		b.setMenu(ctx, nil, lang, b.cfg.Commands(lang))
	}
	m, ok := b.cfg.Handler.(Menus)
	if !ok || b.cfg.MenuFor == nil {
		return
	}
	users, err := m.StaffUsers(ctx)
	if err != nil {
		b.log.Warn("staff menus not set", "err", err)
		return
	}
	for _, id := range users {
		b.refreshMenu(ctx, id)
	}
}

// refreshMenu sets one user's menu for their current role.
func (b *Bot) refreshMenu(ctx context.Context, userID int64) {
	m, ok := b.cfg.Handler.(Menus)
	if !ok || b.cfg.MenuFor == nil {
		return
	}
	role, err := m.RoleOf(ctx, userID)
	if err != nil {
		b.log.Warn("menu not refreshed", "user_id", userID, "err", err)
		return
	}
	for _, lang := range menuLangs {
		b.setMenu(ctx, &models.BotCommandScopeChat{ChatID: userID}, lang, b.cfg.MenuFor(role, lang))
	}
}

func (b *Bot) setMenu(ctx context.Context, scope models.BotCommandScope, lang string, cmds []dialogs.Command) {
	var out []models.BotCommand
	for _, c := range cmds {
		out = append(out, models.BotCommand{Command: c.Name, Description: c.Description})
	}
	err := b.call(ctx, "setMyCommands", func() error {
		_, err := b.api.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: out, Scope: scope, LanguageCode: lang})
		return err
	})
	if err != nil {
		b.log.Warn("command menu not set", "lang", lang, "err", err)
	}
}
