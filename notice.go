package renovote

import (
	"fmt"
	"time"
)

// Notices (通知): construction notices, water and power cuts, calls to vote,
// sent by staff to the bound members of households, through the outbox.

// NoticeKind tells notices from reminders sent to non-voters.
type NoticeKind string

const (
	KindNotice   NoticeKind = "notice"
	KindReminder NoticeKind = "reminder" // 催投: to households that have not voted
	// KindDigest is a staff digest: to one staff chat, listed in no
	// compound's notices.
	KindDigest NoticeKind = "digest"
)

// NoticeStatus is where a notice stands.
type NoticeStatus string

const (
	NoticeScheduled NoticeStatus = "scheduled" // stored, goes at SendAt
	NoticeSending   NoticeStatus = "sending"   // recipients queued in the outbox
	NoticeDone      NoticeStatus = "done"      // every recipient has an outcome
	NoticeCancelled NoticeStatus = "cancelled"
)

// MaxNoticeRunes bounds a notice's text (Telegram's message limit is 4096).
const MaxNoticeRunes = 3500

// Notice is one message to many households.
type Notice struct {
	ID        string     `json:"id"`
	Kind      NoticeKind `json:"kind"`
	Compounds []string   `json:"compounds"`
	// Buildings narrows a notice of one compound to some of its buildings.
	Buildings []string `json:"buildings,omitempty"`
	Text      string   `json:"text"`
	Photo     string   `json:"photo,omitempty"`    // file id
	Document  string   `json:"document,omitempty"` // file id
	// Who sent it, and the message in their chat that shows its progress.
	By         string       `json:"by"`
	ByChat     int64        `json:"by_chat"`
	ProgressID int          `json:"progress_id,omitempty"`
	Created    time.Time    `json:"created"`
	SendAt     time.Time    `json:"send_at"`
	Status     NoticeStatus `json:"status"`
	Counts     NoticeCounts `json:"counts"`
	// Late marks a timed notice sent well after its time (the bot was down).
	Late bool `json:"late,omitempty"`
}

// NoticeCounts is a notice's delivery report.
type NoticeCounts struct {
	Recipients  int64 `json:"recipients"`  // queued
	Delivered   int64 `json:"delivered"`   // Telegram accepted it
	Unreachable int64 `json:"unreachable"` // 403: blocked the bot or deleted the account
	Failed      int64 `json:"failed"`      // gave up after retries: in the dead-letter list
}

// Finished reports whether every recipient has an outcome.
func (c NoticeCounts) Finished() bool { return c.Delivered+c.Unreachable+c.Failed >= c.Recipients }

// Validate checks a notice before it is stored.
func (n Notice) Validate() error {
	v := &ValidationError{What: "notice"}
	if len(n.Compounds) == 0 {
		v.Add("compounds", "at least one compound")
	}
	if len(n.Buildings) > 0 && len(n.Compounds) != 1 {
		v.Add("buildings", "buildings narrow a notice of exactly one compound")
	}
	if n.Text == "" && n.Photo == "" && n.Document == "" {
		v.Add("text", "a notice needs text, a photo or a document")
	}
	if r := len([]rune(n.Text)); r > MaxNoticeRunes {
		v.Add("text", fmt.Sprintf("%d characters, at most %d", r, MaxNoticeRunes))
	}
	if n.Kind != KindNotice && n.Kind != KindReminder && n.Kind != KindDigest {
		v.Add("kind", fmt.Sprintf("unknown kind %q", n.Kind))
	}
	if n.By == "" {
		v.Add("by", "missing")
	}
	return v.Err()
}

// Delivery is the outcome of one outbox message.
type Delivery string

const (
	Delivered   Delivery = "delivered"
	Unreachable Delivery = "unreachable"
	Failed      Delivery = "failed"
)

// OutMsg is one message in the outbox: one notice to one chat.
type OutMsg struct {
	ID       string `json:"id"` // the outbox's id of the entry
	NoticeID string `json:"notice"`
	ChatID   int64  `json:"chat"`
	Text     string `json:"text"`
	Photo    string `json:"photo,omitempty"`
	Document string `json:"document,omitempty"`
	// Attempts counts deliveries of this entry so far (1 on the first).
	Attempts int64 `json:"attempts"`
}

// DeadLetter is an outbox message given up on, kept for staff to see.
type DeadLetter struct {
	Msg   OutMsg    `json:"msg"`
	Error string    `json:"error"`
	At    time.Time `json:"at"`
}
