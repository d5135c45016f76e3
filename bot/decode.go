package bot

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-telegram/bot/models"
)

// errNoUpdateID: a body without a positive update_id is no update.
var errNoUpdateID = errors.New("no positive update_id")

// decodeUpdate reads one update from a request body as Telegram posts it to
// the webhook, and as getUpdates returns each: the JSON of one Update
// object. It is the bot's one decoder of update bodies (the webhook's, the
// poll loops', and the fuzz target's), into the library's models.Update;
// all then go through chatOf and toInput. A body that is not one JSON
// object with a positive update_id is refused.
func decodeUpdate(body []byte) (*models.Update, error) {
	var upd models.Update
	if err := json.Unmarshal(body, &upd); err != nil {
		return nil, fmt.Errorf("decode update: %w", err)
	}
	if upd.ID <= 0 {
		return nil, fmt.Errorf("decode update: %w", errNoUpdateID)
	}
	return &upd, nil
}
