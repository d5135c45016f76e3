package dialogs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// Config configures an Engine.
type Config struct {
	Store       Store
	Admins      []int64 // admin user ids from configuration
	BotUsername string
	// InviteFailuresPerHour is how many wrong invitation codes a user may try
	// within an hour before being asked to wait (default 5).
	InviteFailuresPerHour int
	// SessionTTL is how long an unfinished conversation is kept (default 24h).
	SessionTTL time.Duration
	// SurveyTTL is how long an unfinished survey draft is kept after its last
	// change (default 7 days).
	SurveyTTL time.Duration
	// Logger receives operational warnings and refused staff actions; it
	// never gets names, phones or codes.
	Logger *slog.Logger
	// XLSX, when set, writes one sheet of a spreadsheet (header and rows of
	// text) as an .xlsx file; the door-to-door list is then sent as XLSX too,
	// besides the CSV. nil: CSV only.
	XLSX func(sheet string, header []string, rows [][]string) ([]byte, error)
	// Schedule, when set, lists the scheduled jobs for /schedule (staff):
	// their next runs after now and their last runs.
	Schedule func(ctx context.Context, now time.Time) ([]ScheduleEntry, error)
	// Report, when set, builds the bureau's report of the compounds scope
	// accepts as a spreadsheet (file name and bytes), with owner names and
	// phones when personal; /report then offers it as a download. The command
	// wires report.Build and report.XLSX (dialogs does not import excelize).
	Report func(ctx context.Context, scope func(compoundID string) bool, personal bool) (name string, data []byte, err error)
	// DashboardLink, when set, signs a short-lived link to the web dashboard
	// for a member of staff (/dashboard) and says when it expires. nil: the
	// dashboard is not configured.
	DashboardLink func(m renovote.StaffMember, now time.Time) (link string, expires time.Time, err error)
	// Charts, when set, draws the bureau's charts (PNG images: consent
	// against the threshold, survey items ranked, votes day by day) of the
	// compounds scope accepts, with words in lang ("zh" or "en"); /report
	// then offers them as photos. The command wires report.Build and the
	// chart package. A chart with nothing to draw is left out.
	Charts func(ctx context.Context, scope func(compoundID string) bool, lang string) ([]Document, error)
	// Objections keeps residents' objections (/objection, /objections); nil:
	// the Store, when it implements Objections, else objections are off.
	Objections Objections
	// Publicity, when set, builds the printable public notice (公示) of one
	// compound's tally at now as a file (name and bytes, HTML); /publicity
	// sends it to staff. The command wires report.PublicityHTML.
	Publicity func(ctx context.Context, compoundID string, now time.Time) (name string, data []byte, err error)
}

// Engine runs the conversations. It is safe for concurrent use; the adapter
// handles the inputs of one chat one at a time.
type Engine struct {
	store       Store
	admins      map[int64]bool
	botUsername string
	maxFailures int
	ttl         time.Duration
	surveyTTL   time.Duration
	adminIDs    []int64 // sorted, without duplicates
	log         *slog.Logger
	xlsx        func(sheet string, header []string, rows [][]string) ([]byte, error)
	schedule    func(ctx context.Context, now time.Time) ([]ScheduleEntry, error)
	report      func(ctx context.Context, scope func(string) bool, personal bool) (string, []byte, error)
	dashLink    func(m renovote.StaffMember, now time.Time) (string, time.Time, error)
	charts      func(ctx context.Context, scope func(string) bool, lang string) ([]Document, error)
	receiptID   func() string // renovote.NewReceiptID; replaced in tests
	objections  Objections    // nil: objections are off
	publicity   func(ctx context.Context, compoundID string, now time.Time) (string, []byte, error)
}

// SetBotUsername sets the username used in links (staff invitations) when it
// is learnt after New, from the channel. Call it before handling starts.
func (e *Engine) SetBotUsername(u string) { e.botUsername = u }

// New returns an Engine for the configuration, with defaults filled in.
func New(cfg Config) *Engine {
	e := &Engine{
		store:       cfg.Store,
		admins:      map[int64]bool{},
		botUsername: cfg.BotUsername,
		maxFailures: cfg.InviteFailuresPerHour,
		ttl:         cfg.SessionTTL,
		surveyTTL:   cfg.SurveyTTL,
		log:         cfg.Logger,
		xlsx:        cfg.XLSX,
		schedule:    cfg.Schedule,
		report:      cfg.Report,
		dashLink:    cfg.DashboardLink,
		charts:      cfg.Charts,
		receiptID:   renovote.NewReceiptID,
	}
	e.objections, e.publicity = objectionsOf(cfg), cfg.Publicity
	for _, id := range cfg.Admins {
		if !e.admins[id] {
			e.adminIDs = append(e.adminIDs, id)
		}
		e.admins[id] = true
	}
	slices.Sort(e.adminIDs)
	if e.maxFailures <= 0 {
		e.maxFailures = 5
	}
	if e.ttl <= 0 {
		e.ttl = 24 * time.Hour
	}
	if e.surveyTTL <= 0 {
		e.surveyTTL = 7 * 24 * time.Hour
	}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return e
}

// SessionKey is the Store key of a chat's session.
func SessionKey(chatID int64) string { return "chat:" + strconv.FormatInt(chatID, 10) }

// Handle loads the chat's session, runs Step, saves the session and returns
// what to send. When the error is not nil the Response still holds what to tell
// the user (for instance that the vote was not recorded): send it, log the error.
func (e *Engine) Handle(ctx context.Context, in Input, now time.Time) (Response, error) {
	chat := in.ChatID
	if chat == 0 {
		chat = in.UserID
	}
	key := SessionKey(chat)
	data, pre, err := e.readTurn(ctx, key, in)
	if err != nil {
		t := e.newTurn(ctx, Session{}, in, now)
		if isVoteAction(in) {
			return t.failVote("get session", err)
		}
		return t.fail("get session", err)
	}
	s, derr := decodeSession(data)
	if derr != nil {
		e.log.Warn("dialogs: unreadable session dropped", "update", in.UpdateID, "err", derr)
		s = Session{}
	}
	resp, ns, err := e.step(ctx, s, in, now, pre)
	enc := encodeSession(ns)
	if len(data) == 0 && ns.isZero() || bytes.Equal(enc, data) {
		return resp, err
	}
	ttl := e.ttl
	if ns.Survey != nil {
		ttl = max(ttl, e.surveyTTL)
	}
	if perr := e.store.PutSession(ctx, key, enc, ttl); perr != nil {
		err = errors.Join(err, fmt.Errorf("dialogs: put session: %w", perr))
	}
	return resp, err
}

// Step is the core: from the session, the input and the time it computes the
// response and the new session. It calls the Store to read and write domain
// data (bindings, votes) but keeps no state of its own.
func (e *Engine) Step(ctx context.Context, s Session, in Input, now time.Time) (Response, Session, error) {
	return e.step(ctx, s, in, now, nil)
}

// step is Step with what Handle read beside the session (pre, may be nil).
func (e *Engine) step(ctx context.Context, s Session, in Input, now time.Time, pre *prefetched) (Response, Session, error) {
	s = e.expire(s, now)
	t := e.newTurn(ctx, s, in, now)
	t.pre = pre
	resp, err := t.run()
	switch {
	case err != nil:
		return resp, s, err // a failed step leaves the conversation where it was
	case t.s.Flow == "" || t.s.Flow == flowSurvey && t.survey == nil:
		t.s = Session{}
	case t.s.Flow == flowSurvey:
		t.s = Session{Flow: flowSurvey}
	default:
		t.s.Updated = now
	}
	// The survey draft and the last finished submission outlive the flows;
	// the latter only until a newer update of the chat (a replay comes first).
	if t.finished != nil && in.UpdateID > t.finished.Update {
		t.finished = nil
	}
	t.s.Survey, t.s.Finished = t.survey, t.finished
	return resp, t.s, nil
}

// expire drops a survey draft older than the survey TTL, and a flow older
// than the session TTL; the survey flow lasts as long as its draft.
func (e *Engine) expire(s Session, now time.Time) Session {
	if s.Survey != nil && now.Sub(s.Survey.Updated) > e.surveyTTL {
		s.Survey = nil
	}
	if s.Flow == flowSurvey {
		if s.Survey == nil {
			s.Flow = ""
		}
		return s
	}
	if s.expired(now, e.ttl) {
		s = Session{Survey: s.Survey, Finished: s.Finished}
	}
	return s
}

// turn is one input being handled.
type turn struct {
	e   *Engine
	ctx context.Context
	in  Input
	now time.Time
	l   lang
	s   Session // the flow; its Survey and Finished are kept apart, below
	// survey is the survey draft, finished the last completed submission:
	// they survive whatever the flows do to s.
	survey   *SurveyDraft
	finished *Finished
	// me is the sender's role and scope, read once per turn (member).
	me *renovote.StaffMember
	// pre is what Handle read with the session for a vote press (nil: read
	// it when needed).
	pre *prefetched
}

// newTurn copies what the turn may change, so that a failed step leaves the
// caller's session untouched.
func (e *Engine) newTurn(ctx context.Context, s Session, in Input, now time.Time) *turn {
	t := &turn{e: e, ctx: ctx, in: in, now: now, l: langOf(in.Lang), s: s,
		survey: s.Survey.clone(), finished: s.Finished}
	t.s.Survey, t.s.Finished = nil, nil
	t.s.Report = s.Report.clone()
	t.s.Notice = s.Notice.clone()
	return t
}

func (t *turn) run() (Response, error) {
	switch {
	case t.in.Callback != "":
		return t.callback()
	case t.in.Command != "":
		return t.command()
	case t.in.PhotoFileID != "":
		return t.photo()
	case t.in.DocumentFileID != "":
		return t.document()
	}
	return t.text()
}

func (t *turn) command() (Response, error) {
	switch strings.ToLower(t.in.Command) {
	case "start":
		return t.start()
	case "vote":
		return t.showBallot()
	case "paper":
		return t.paperCommand()
	case "cancel":
		return t.cancel()
	case "tally":
		return t.tally()
	case "addworker":
		return t.addWorker()
	case "help":
		return t.help()
	case "survey":
		return t.surveyCommand()
	case "survey_results":
		return t.surveyResults()
	case "report_problem":
		return t.reportCommand()
	case "reports":
		return t.listReports()
	case "supervisor":
		return t.supervisorCommand()
	case "invite_staff":
		return t.inviteStaff()
	case "staff":
		return t.listStaff()
	case "revoke_staff":
		return t.revokeStaff()
	case "notice":
		return t.noticeCommand()
	case "notices", "notices_all":
		return t.listNotices()
	case "undelivered":
		return t.undelivered()
	case "nonvoters":
		return t.nonVotersCommand()
	case "schedule":
		return t.scheduleCommand()
	case "report":
		return t.bureauReport()
	case "myvote":
		return t.myVote()
	case "objection":
		return t.objectionCommand()
	case "objections":
		return t.listObjections()
	case "publicity":
		return t.publicityCommand()
	case "dashboard":
		return t.dashboardCommand()
	}
	return t.say(mHint.s(t.l)), nil
}

func (t *turn) callback() (Response, error) {
	d := t.in.Callback
	switch {
	case d == "b:y":
		return t.bindYes()
	case d == "b:n":
		return t.bindNo()
	case d == "v:show":
		return t.showBallot()
	case strings.HasPrefix(d, "v:"):
		return t.votePress(d)
	case strings.HasPrefix(d, "p:"):
		return t.paperCallback(d)
	case strings.HasPrefix(d, "s:"):
		return t.surveyCallback(d)
	case strings.HasPrefix(d, "r:"):
		return t.reportCallback(d)
	case strings.HasPrefix(d, "si:"):
		return t.staffInviteCallback(d)
	case strings.HasPrefix(d, "n:"):
		return t.noticeCallback(d)
	case strings.HasPrefix(d, "nx:"):
		return t.cancelNoticePress(d)
	case strings.HasPrefix(d, "dd:"):
		return t.nonVotersPress(d)
	case strings.HasPrefix(d, "dr:"):
		return t.remindPress(d)
	case d == "rp:x":
		return t.reportPress()
	case d == "rp:c":
		return t.chartsPress()
	case strings.HasPrefix(d, "o:"):
		return t.objectionCallback(d)
	case strings.HasPrefix(d, "pub:"):
		return t.publicityPress(d)
	}
	return t.expired(), nil
}

// text handles a plain message: the answer to a step of a flow, a few words
// that mean a command, or anything else (a hint).
func (t *turn) text() (Response, error) {
	word := strings.ToLower(strings.TrimSpace(t.in.Text))
	if word == "取消" || word == "cancel" {
		return t.cancel()
	}
	switch t.s.Flow {
	case flowPaper:
		return t.paperText()
	case flowBind:
		return t.bindReminder(), nil
	case flowSurvey:
		return t.surveyText()
	case flowReport:
		return t.reportText()
	case flowNotice:
		return t.noticeText()
	case flowStaffInvite:
		return t.staffInviteReminder(), nil
	case flowObjection:
		return t.objectionText()
	}
	switch word {
	case "投票", "vote":
		return t.showBallot()
	case "帮助", "help":
		return t.help()
	}
	return t.say(mHint.s(t.l)), nil
}

func (t *turn) photo() (Response, error) {
	if t.s.Flow == flowPaper {
		return t.paperPhoto()
	}
	if t.s.Flow == flowBind {
		return t.bindReminder(), nil
	}
	if t.s.Flow == flowSurvey {
		return t.surveyPhoto()
	}
	if t.s.Flow == flowReport {
		return t.reportPhoto()
	}
	if t.s.Flow == flowNotice {
		return t.noticeAttachment()
	}
	return t.say(mHint.s(t.l)), nil
}

// document is a file sent as a document: a notice's attachment, or out of place.
func (t *turn) document() (Response, error) {
	if t.s.Flow == flowNotice {
		return t.noticeAttachment()
	}
	return t.say(mHint.s(t.l)), nil
}

// cancel stops the flow going on; a survey draft is dropped only when the
// survey is that flow.
func (t *turn) cancel() (Response, error) {
	if t.s.Flow == flowSurvey {
		return t.surveyCancel(false)
	}
	t.s = Session{}
	return t.say(mCancelled.s(t.l)), nil
}

// isVoteAction reports whether the input would record a vote, so that a
// failure must say that nothing was recorded.
func isVoteAction(in Input) bool {
	d := in.Callback
	return strings.HasPrefix(d, "v:a:") || strings.HasPrefix(d, "v:d:") || d == "p:ok"
}

// alert answers a button press with an alert and nothing else.
func alert(text string) Response { return Response{CallbackText: text, CallbackAlert: true} }

// toast answers a button press with a toast and nothing else.
func toast(text string) Response { return Response{CallbackText: text} }

// Response helpers.

func (t *turn) say(text string) Response {
	return Response{Replies: []Reply{{Text: text}}}
}

func (t *turn) sayButtons(text string, buttons [][]Button) Response {
	return Response{Replies: []Reply{{Text: text, Buttons: buttons}}}
}

// edit replaces the message that carried the pressed button, or sends a new
// message when there is none.
func (t *turn) edit(text string, buttons [][]Button) Reply {
	return Reply{Text: text, Buttons: buttons, EditMessageID: t.in.MessageID}
}

func (t *turn) expired() Response {
	return Response{CallbackText: mButtonExpired.s(t.l)}
}

// fail reports an infrastructure failure: a busy message for the user and the
// wrapped error for the log.
func (t *turn) fail(op string, err error) (Response, error) {
	return t.busy(mBusy), fmt.Errorf("dialogs: %s: %w", op, err)
}

// failVote is fail for an input that would have recorded a vote.
func (t *turn) failVote(op string, err error) (Response, error) {
	return t.busy(mBusyVote), fmt.Errorf("dialogs: %s: %w", op, err)
}

func (t *turn) busy(m msg) Response {
	if t.in.Callback != "" {
		return Response{CallbackText: m.s(t.l), CallbackAlert: true}
	}
	return t.say(m.s(t.l))
}

func (t *turn) actor() string { return "tg:" + strconv.FormatInt(t.in.UserID, 10) }

func (t *turn) opID() string { return "tg:upd:" + strconv.FormatInt(t.in.UpdateID, 10) }
