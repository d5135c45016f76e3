package dialogs

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// FuzzCallbackData presses a button with any data, as a bound resident, a
// community worker and an admin, each in a few conversations (none, a
// survey or report draft, a paper ballot waiting for its confirmation, a
// notice ready to send...), on the real store (storetest: REDIS_URL or
// miniredis). Whatever the data: no panic, no error from a healthy store, a
// well-formed answer (Telegram's limits on texts and button data), a session
// that can be stored, and the vote counters move only on a genuine vote press
// (the resident's own ballot button, or the worker's confirmation of a paper
// ballot) and always equal a recount from the stored votes.
func FuzzCallbackData(f *testing.F) {
	fx := newCallbackFixture(f)
	for _, s := range fx.seeds {
		f.Add(s.data, s.who, s.state)
	}
	for _, d := range []string{
		"", "v:show", "v:a:", "v:d:", "v:a:zzzzzzzz", "v:a:0123abcd", "v:x:" + voteToken(ref301), "v:a:" + voteToken(ref301) + ":",
		"v:a:" + voteToken(refJin), "v::", ":", "::::", "p:", "p:ok", "p:x", "p:skip", "p:c:", "p:c:liangmao", "p:c:nowhere",
		"p:v:paper:a", "p:v:proxy:x", "p:v:", "s:", "s:go", "s:::", "s:zzzzzz:0:u:0:0", "s:000000:-1:u:-1:99999999999999999999",
		"r:", "r:a:liangmao:", "r:r:liangmao:R1", "r:w:000000:b", "si:y", "si:n", "n:", "n:x:ok", "nx:", "nx:../../x",
		"dd:", "dd:nowhere", "dr:liangmao", "dr:", "rp:x", "rp:", "b:y", "b:n", "\x00", "\xff\xfe", "🏠", strings.Repeat("v:a:", 20),
	} {
		for who := range uint8(len(fx.users)) {
			f.Add(d, who, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, data string, who, state uint8) {
		fx.press(t, data, int(who)%len(fx.users), int(state)%callbackStates)
	})
}

// callbackStates is how many conversations each user is tried in.
const callbackStates = 4

type callbackSeed struct {
	data       string
	who, state uint8
}

type callbackFixture struct {
	be       storeBackend
	e        *Engine
	users    []user
	sessions [][callbackStates]Session // by user, by state
	seeds    []callbackSeed            // the buttons the conversations showed
	upd      atomic.Int64
}

// newCallbackFixture binds zhang to 3-2-301, makes worker a worker of every
// compound and admin an admin, and walks each into its conversations,
// keeping the buttons it was shown as seeds.
func newCallbackFixture(tb testing.TB) *callbackFixture {
	tb.Helper()
	ctx := context.Background()
	be := newStoreBackend(tb).(storeBackend)
	if err := be.Bind(ctx, zhang.id, ref301, 2, ballotOpens); err != nil {
		tb.Fatal(err)
	}
	be.addWorker(tb, worker.id)
	fx := &callbackFixture{be: be, users: []user{zhang, worker, admin}}
	fx.upd.Store(1_000_000)
	fx.e = New(Config{Store: be, Admins: []int64{admin.id}, BotUsername: "renovote_bot", XLSX: fakeXLSX,
		Report: func(ctx context.Context, scope func(string) bool, personal bool) (string, []byte, error) {
			return "report.xlsx", []byte("xlsx"), nil
		}})
	fx.sessions = make([][callbackStates]Session, len(fx.users))

	// A step is a command, typed text or the press of the button whose data
	// ends with the given suffix (among those last shown).
	type step struct{ command, text, press string }
	walks := [][callbackStates][]step{
		{ // zhang
			1: {{command: "/survey"}},
			2: {{command: "/report_problem"}},
			3: {{command: "/vote"}, {command: "/report_problem"}, {press: ":b"}},
		},
		{ // worker
			1: {{command: "/paper liangmao 3-2-302 agree"}, {press: "p:skip"}},
			2: {{command: "/notice"}, {press: "c:liangmao"}, {press: "cn"}, {press: "ba"}, {text: "周六停水，请提前储水。"}, {press: "now"}},
			3: {{command: "/paper"}},
		},
		{ // admin
			1: {{command: "/notice"}},
			2: {{command: "/paper 粮贸小区 3-2-401 disagree proxy"}},
			3: {{command: "/report"}, {command: "/nonvoters"}},
		},
	}
	for who, states := range walks {
		u := fx.users[who]
		for state, steps := range states {
			var (
				s       Session
				buttons []string
			)
			for _, st := range steps {
				in := fx.input(u)
				switch {
				case st.command != "":
					in.Text = st.command
					cmd, args, _ := strings.Cut(st.command[1:], " ")
					in.Command, in.Args = cmd, args
				case st.text != "":
					in.Text = st.text
				default:
					i := len(buttons) - 1
					for i >= 0 && !strings.HasSuffix(buttons[i], st.press) {
						i--
					}
					if i < 0 {
						tb.Fatalf("user %d: no button %q among %q", u.id, st.press, buttons)
					}
					in.Callback = buttons[i]
				}
				resp, ns, err := fx.e.Step(ctx, s, in, duringSurvey)
				if err != nil {
					tb.Fatalf("user %d, %+v: %v", u.id, st, err)
				}
				s = ns
				for _, r := range resp.Replies {
					for _, row := range r.Buttons {
						for _, b := range row {
							buttons = append(buttons, b.Data)
							fx.seeds = append(fx.seeds, callbackSeed{b.Data, uint8(who), uint8(state)})
						}
					}
				}
			}
			fx.sessions[who][state] = s
		}
	}
	if s := fx.sessions[1][1]; s.Flow != flowPaper || s.Step != stepConfirm {
		tb.Fatalf("the worker's paper ballot is not waiting for confirmation: %+v", s)
	}
	return fx
}

func (fx *callbackFixture) input(u user) Input {
	return Input{UpdateID: fx.upd.Add(1), UserID: u.id, ChatID: u.id, Lang: u.lang, Name: "someone", MessageID: 7}
}

// voteCounters are the counters of a tally that votes move.
func voteCounters(t renovote.Tally) [7]int64 {
	return [7]int64{t.Voted, t.Agree, t.Disagree, int64(t.VotedArea), int64(t.AgreeArea), t.VotedOwners, t.AgreeOwners}
}

func (fx *callbackFixture) tallies(t *testing.T) map[string]renovote.Tally {
	t.Helper()
	ctx := context.Background()
	out := map[string]renovote.Tally{}
	for _, c := range testProgramme().Compounds {
		got, err := fx.be.Tally(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, err := fx.be.Recount(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("%s: counters differ from the recount:\n got %+v\nwant %+v", c.ID, got, want)
		}
		out[c.ID] = got
	}
	return out
}

func (fx *callbackFixture) press(t *testing.T, data string, who, state int) {
	ctx := context.Background()
	u, s := fx.users[who], fx.sessions[who][state]
	before := fx.tallies(t)
	in := fx.input(u)
	in.Callback = data
	resp, ns, err := fx.e.Step(ctx, s, in, duringSurvey)
	if err != nil {
		t.Fatalf("user %d, state %d, data %q: error from a healthy store: %v", u.id, state, data, err)
	}
	checkAnswer(t, data, resp)
	if _, err := decodeSession(encodeSession(ns)); err != nil {
		t.Fatalf("data %q: the new session cannot be stored: %v", data, err)
	}

	tok := voteToken(ref301)
	resident := u == zhang && (data == "v:a:"+tok || data == "v:d:"+tok)
	paper := u != zhang && data == "p:ok" && s.Flow == flowPaper && s.Step == stepConfirm
	after := fx.tallies(t)
	for id, b := range before {
		if voteCounters(after[id]) != voteCounters(b) && !resident && !paper {
			t.Fatalf("user %d, state %d: the press %q moved the counters of %s:\n%+v\n%+v", u.id, state, data, id, b, after[id])
		}
	}
	if resident || paper {
		ref, choice := ref301, renovote.ChoiceAgree
		if paper {
			ref, choice = s.ref(), s.Choice
		} else if data[2] == 'd' {
			choice = renovote.ChoiceDisagree
		}
		v, ok, err := fx.be.CurrentVote(ctx, ref)
		if err != nil || !ok || v.Choice != choice {
			t.Fatalf("user %d: the vote press %q did not record %s for %s: %+v %v %v", u.id, data, choice, ref, v, ok, err)
		}
	}
}

// checkAnswer checks that a button press is answered within Telegram's limits.
func checkAnswer(t *testing.T, data string, resp Response) {
	t.Helper()
	if resp.CallbackText == "" && len(resp.Replies) == 0 {
		t.Fatalf("the press %q is answered with nothing", data)
	}
	if n := utf8.RuneCountInString(resp.CallbackText); n > 200 {
		t.Errorf("the press %q is answered with %d characters (Telegram allows 200)", data, n)
	}
	for _, r := range resp.Replies {
		n, max := utf8.RuneCountInString(r.Text), 4096
		if r.PhotoFileID != "" || r.DocumentFileID != "" || r.Document != nil {
			max = 1024
		} else if n == 0 {
			t.Errorf("the press %q is answered with an empty message", data)
		}
		if n > max {
			t.Errorf("the press %q is answered with a message of %d characters", data, n)
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Label == "" || b.Data == "" || len(b.Data) > 64 || !utf8.ValidString(b.Data) {
					t.Errorf("the press %q is answered with the button %q %q (data: 1-64 bytes of UTF-8)", data, b.Label, b.Data)
				}
			}
		}
	}
	if _, err := json.Marshal(resp); err != nil {
		t.Errorf("the answer to %q cannot be encoded: %v", data, err)
	}
}
