package loadtest

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/renovote/renovote/bot"
	"github.com/renovote/renovote/dialogs"
)

// bareData are the bare bot's buttons pressed in turn.
var bareData = [2]string{"a", "d"}

// bareButtons has as many buttons as the full bot's receipt (agree,
// disagree, the survey).
var bareButtons = [][]dialogs.Button{
	{{Label: "同意改造 Agree", Data: bareData[0]}},
	{{Label: "不同意 Disagree", Data: bareData[1]}},
	{{Label: "填写调查 Survey", Data: "s"}},
}

// bareReceipt is about as long as the full bot's receipt; the press's data
// and a number make every edit differ from the text it replaces (Telegram
// refuses an edit that changes nothing).
const bareReceipt = "🏠 已记录 Recorded: "

const bareFiller = "\n您的选择已记录，截止前可以更改。Your choice was recorded; you may change it until the ballot closes."

// bareHandler is the bare bot: for each press the same two Bot API calls as
// a vote (answer the press, edit its message), for a text message a message
// with the buttons; no logic, no storage.
type bareHandler struct{ n atomic.Int64 }

func (h *bareHandler) Handle(_ context.Context, in dialogs.Input, _ time.Time) (dialogs.Response, error) {
	if in.Callback == "" {
		return dialogs.Response{Replies: []dialogs.Reply{{Text: "表决 Ballot", Buttons: bareButtons}}}, nil
	}
	text := bareReceipt + in.Callback + " #" + strconv.FormatInt(h.n.Add(1), 10) + bareFiller
	return dialogs.Response{
		CallbackText: "已记录 Recorded",
		Replies:      []dialogs.Reply{{EditMessageID: in.MessageID, Text: text, Buttons: bareButtons}},
	}, nil
}

// forgetful is the bare bot's de-duplication: it remembers nothing, every
// update is new. It is an update log (bot.UpdateLog) and an update journal
// (bot.UpdateJournal) as the store is, so that both bots take the same way
// through the poll loop: one look-up of the first poll, the done marks in
// batches, the offset confirming each poll's updates at the next.
type forgetful struct{}

func (forgetful) JournalUpdates(context.Context, map[int64][]byte, int64) error { return nil }

func (forgetful) JournalDone(context.Context, []int64) error { return nil }

func (forgetful) JournaledUpdates(context.Context) (map[int64][]byte, error) { return nil, nil }

func (forgetful) FirstSeen(context.Context, int64) (bool, error) { return true, nil }

func (forgetful) SeenUpdates(_ context.Context, ids []int64) ([]bool, error) {
	return make([]bool, len(ids)), nil
}

func (forgetful) UpdatesDone(context.Context, []int64) error { return nil }

var (
	_ bot.UpdateLog     = forgetful{}
	_ bot.UpdateJournal = forgetful{}
)
