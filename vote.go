package renovote

import (
	"fmt"
	"time"
)

// Choice is a household's answer to the consent ballot.
type Choice string

const (
	ChoiceNone     Choice = ""
	ChoiceAgree    Choice = "agree"    // 同意改造
	ChoiceDisagree Choice = "disagree" // 不同意
)

// ParseChoice accepts "agree"/"disagree" and common Chinese and short forms.
func ParseChoice(s string) (Choice, error) {
	switch s {
	case "agree", "yes", "y", "a", "同意", "同意改造":
		return ChoiceAgree, nil
	case "disagree", "no", "n", "d", "不同意":
		return ChoiceDisagree, nil
	}
	return ChoiceNone, fmt.Errorf("choice %q: want agree or disagree: %w", s, ErrInvalid)
}

// Channel is how a vote reached the ballot. A household has one vote whatever the channel.
type Channel string

const (
	ChannelChat  Channel = "chat"  // cast by a bound member in chat
	ChannelPaper Channel = "paper" // 纸质表决票 recorded by a worker
	ChannelProxy Channel = "proxy" // 委托书 recorded by a worker
)

// ParseChannel checks a channel name.
func ParseChannel(s string) (Channel, error) {
	switch c := Channel(s); c {
	case ChannelChat, ChannelPaper, ChannelProxy:
		return c, nil
	}
	return "", fmt.Errorf("channel %q: want chat, paper or proxy: %w", s, ErrInvalid)
}

// VoteCmd asks the store to set a household's vote.
type VoteCmd struct {
	Ref     HouseholdRef
	Choice  Choice
	Channel Channel
	// Actor says who entered the vote: "tg:<user id>" for a member in chat, or the
	// worker's "tg:<user id>" / "cli:<name>" for paper and proxy ballots.
	Actor string
	// OpID makes the command idempotent: a second command with the same OpID
	// returns the first receipt and changes nothing ("tg:upd:<update id>", ...).
	OpID string
	// ReceiptID is the short id given to the voter; chosen by the caller so a
	// retried command carries the same one.
	ReceiptID string
	At        time.Time
	Evidence  string // optional: file id of a photo of the paper ballot or proxy
	UpdateID  int64  // Telegram update id, when there is one (audit)
}

// Validate checks the command's fields.
func (c VoteCmd) Validate() error {
	v := &ValidationError{What: "vote"}
	if c.Ref.CompoundID == "" || c.Ref.HouseholdID == "" {
		v.Add("household", "missing")
	}
	if c.Choice != ChoiceAgree && c.Choice != ChoiceDisagree {
		v.Add("choice", fmt.Sprintf("%q is not agree or disagree", c.Choice))
	}
	if _, err := ParseChannel(string(c.Channel)); err != nil {
		v.Add("channel", fmt.Sprintf("%q is not chat, paper or proxy", c.Channel))
	}
	if c.Actor == "" {
		v.Add("actor", "missing")
	}
	if c.OpID == "" {
		v.Add("op", "missing")
	}
	if c.ReceiptID == "" {
		v.Add("receipt", "missing")
	}
	if c.At.IsZero() {
		v.Add("at", "missing")
	}
	return v.Err()
}

// HouseholdVote is a household's current vote.
type HouseholdVote struct {
	Choice    Choice    `json:"choice"`
	Channel   Channel   `json:"channel"`
	Actor     string    `json:"actor"`
	At        time.Time `json:"at"`
	ReceiptID string    `json:"receipt"`
	Evidence  string    `json:"evidence,omitempty"`
}

// Receipt confirms a vote.
type Receipt struct {
	ID       string       `json:"id"`
	Ref      HouseholdRef `json:"household"`
	Choice   Choice       `json:"choice"`
	Previous Choice       `json:"previous"`
	Channel  Channel      `json:"channel"`
	At       time.Time    `json:"at"`
	// Replayed is true when the command's OpID had been applied before: this is
	// the original receipt and nothing changed now.
	Replayed bool `json:"replayed,omitempty"`
	// Pending is true when the store holds the vote but could not confirm it
	// durable: in the Redis store's confirmed mode, fewer replicas than
	// configured acknowledged it in time, so a failover of the master could
	// still lose it. The resident is told it was received and is pending,
	// never that it was recorded.
	Pending bool `json:"pending,omitempty"`
}

// VoteChange is one entry of the audit trail of a compound.
type VoteChange struct {
	Ref       HouseholdRef `json:"household"`
	Old       Choice       `json:"old"`
	New       Choice       `json:"new"`
	Channel   Channel      `json:"channel"`
	Actor     string       `json:"actor"`
	At        time.Time    `json:"at"`
	ReceiptID string       `json:"receipt"`
	UpdateID  int64        `json:"update_id,omitempty"`
	Evidence  string       `json:"evidence,omitempty"`
}
