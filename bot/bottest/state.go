package bottest

// state is everything Reset forgets. It is guarded by Server.mu.
type state struct {
	seq   int64
	calls []Call

	chats map[int64]*chat
	users map[int64]*UserProfile

	queue        []*queuedUpdate // unconfirmed updates, ascending ids
	updateByID   map[int64]*queuedUpdate
	nextUpdateID int64
	pollGen      int64
	allowed      []string // allowed_updates; nil means Telegram's default

	webhook    webhookState
	deliveries []WebhookDelivery // attempts at posting updates to the webhook

	callbacks     map[string]*Callback
	callbackOrder []string
	nextCallback  int64

	files       map[string]*storedFile
	filesByPath map[string]*storedFile
	nextFile    int64

	commands map[string][]BotCommand

	faults      []*faultRule
	intercept   func(Call) *Fault
	rate        rateState
	rateLimited int
}

func newState() *state {
	return &state{
		chats:        map[int64]*chat{},
		users:        map[int64]*UserProfile{},
		updateByID:   map[int64]*queuedUpdate{},
		nextUpdateID: 1,
		callbacks:    map[string]*Callback{},
		files:        map[string]*storedFile{},
		filesByPath:  map[string]*storedFile{},
		commands:     map[string][]BotCommand{},
		rate:         newRateState(),
	}
}

// Reset forgets everything: calls, chats and users, transcripts, queued
// updates, callbacks, files, commands, webhook, faults and rate-limit
// history. Options given at construction stay, and update ids, call Seq
// numbers, callback and file ids keep increasing (a running bot's offset
// stays valid). Long polls in progress are answered with an empty result.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.st
	s.st = newState()
	// Ids stay unique across resets: a running bot keeps its getUpdates
	// offset, and tests may keep Seq marks.
	s.st.seq = old.seq
	s.st.nextUpdateID = old.nextUpdateID
	s.st.nextCallback = old.nextCallback
	s.st.nextFile = old.nextFile
	s.notifyLocked()
}

// ResetCalls forgets the recorded calls only.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.calls = nil
	s.notifyLocked()
}
