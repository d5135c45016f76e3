package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/renovote/renovote"
)

func TestProgrammeApply(t *testing.T) {
	s := newStaff(t)
	first := s.ok("programme", "apply", seedProgramme)
	wantContains(t, "programme apply", first, "programme fenggang_2020 (凤冈县2020年城镇老旧小区改造) applied: 5 compounds")
	if again := s.ok("programme", "apply", seedProgramme); again != first {
		t.Errorf("second apply said %q, first %q", again, first)
	}
	tl := s.tally()
	if len(tl) != 5 {
		t.Fatalf("tally after applying twice has %d compounds, want 5", len(tl))
	}
	for _, c := range seedCompounds {
		if got := tl[c.id]; got.households != 0 || got.pass {
			t.Errorf("%s before any register: %+v", c.id, got)
		}
	}
	if err := s.fails("programme", "apply"); !strings.Contains(err.Error(), "give one programme file") {
		t.Errorf("apply without file: %v", err)
	}
	// "program" is understood too.
	s.ok("program", "apply", seedProgramme)
}

// A programme file with mistakes is reported by path and changes nothing.
func TestProgrammeApplyBroken(t *testing.T) {
	seed, err := os.ReadFile(seedProgramme)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(seed), "  - id: wuzhuangbu", "  - id: liangmao", 1)
	broken = strings.Replace(broken, "rule: county", "rule: country", 1)
	broken = strings.Replace(broken, "planned_households: 170", "planned_households: many", 1)
	broken = strings.Replace(broken, "id: fenggang_2020", "id: fenggang_2020_b", 1)
	if broken == string(seed) {
		t.Fatal("the seed changed: update the test")
	}
	path := filepath.Join(t.TempDir(), "broken.yaml")
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}

	s := newStaff(t)
	msg := s.fails("programme", "apply", path).Error()
	wantContains(t, "error", msg, "rule", `"country"`, "compounds[2].id", `"liangmao" is already used by compounds[0]`,
		"compounds[4].planned_households")
	if err := s.fails("tally"); !errors.Is(err, renovote.ErrNotFound) && !strings.Contains(err.Error(), "not found") {
		t.Errorf("a broken programme left something behind: tally says %v", err)
	}

	// On a store that has a programme, the broken file leaves it as it was.
	s.seed()
	before := s.ok("tally", "-json")
	s.fails("programme", "apply", path)
	if after := s.ok("tally", "-json"); after != before {
		t.Errorf("a broken programme changed the tally:\nbefore %s\nafter %s", before, after)
	}
	if err := s.fails("programme", "apply", filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Error("a missing file applied")
	}
}

func TestRegisterImport(t *testing.T) {
	s := newStaff(t)
	if err := s.fails("register", "import", seedRegister); !strings.Contains(err.Error(), "apply a programme first") {
		t.Errorf("import before the programme: %v", err)
	}
	s.ok("programme", "apply", seedProgramme)
	out := s.ok("register", "import", seedRegister)
	var total int64
	for _, c := range seedCompounds {
		wantContains(t, "import output", out, c.id+" "+c.name+": "+strconv.FormatInt(c.households, 10)+" added, 0 updated, 0 unchanged")
		total += c.households
	}
	if total != 808 {
		t.Fatalf("seed total %d", total)
	}
	tl := s.tally()
	var got int64
	for _, c := range seedCompounds {
		if tl[c.id].households != c.households {
			t.Errorf("%s: %d households, want %d", c.id, tl[c.id].households, c.households)
		}
		got += tl[c.id].households
	}
	if got != 808 {
		t.Errorf("%d households on record, want 808", got)
	}
	// Importing the same file again changes nothing.
	again := s.ok("register", "import", seedRegister)
	wantContains(t, "second import", again, "liangmao 粮贸小区: 0 added, 0 updated, 55 unchanged")
}

// A register with mistakes is reported row by row, and not one household of
// it is written, not even those of the good rows.
func TestRegisterImportBroken(t *testing.T) {
	s := newStaff(t)
	s.ok("programme", "apply", seedProgramme)
	csv := strings.Join([]string{
		"小区,楼栋,单元,房号,户主,电话,面积",                 // line 1
		"粮贸小区,1栋,1单元,101,张三,13800000001,62.59", // line 2: good
		"幸福小区,1栋,1单元,102,李四,13800000002,70",    // line 3: unknown compound
		"粮贸小区,1栋,1单元,201,王五,13800000003,70",    // line 4: duplicate of line 5
		"粮贸小区,1栋,1单元,201,赵六,13800000004,70",    // line 5
		"粮贸小区,1栋,1单元,202,钱七,13800000005,",      // line 6: missing area
		"粮贸小区,1栋,1单元,301,孙八,13800000006,七十",    // line 7: area not a number
		"粮贸小区,1栋,1单元,302,周九,13800000007,0",     // line 8: zero area
		"粮贸小区,1栋,1单元,401,吴十,12345,80",          // line 9: bad phone
		"金融小区,2栋,1单元,101,郑一,13800000009,90.5",  // line 10: good
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "register.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	err := s.fails("register", "import", path)
	msg := err.Error()
	if !errors.Is(err, renovote.ErrInvalid) {
		t.Errorf("error is not ErrInvalid: %v", err)
	}
	wantContains(t, "error", msg,
		"nothing written",
		`line 3: unknown compound "幸福小区"`,
		"line 4: duplicate unit", "also on line 5",
		"line 5: duplicate unit", "also on line 4",
		"line 6: missing area",
		`line 7: area "七十"`,
		`line 8: area "0"`,
		"line 9: phone")
	for _, good := range []string{"line 2:", "line 10:"} {
		if strings.Contains(msg, good) {
			t.Errorf("a good row is reported (%s):\n%s", good, msg)
		}
	}
	for id, c := range s.tally() {
		if c.households != 0 {
			t.Errorf("%s has %d households after a refused import", id, c.households)
		}
	}
	if hh, err := s.store().Households(context.Background(), "liangmao"); err != nil || len(hh) != 0 {
		t.Errorf("liangmao register after a refused import: %v, %v", hh, err)
	}
}

// An updated register keeps the votes and bindings, updates what changed, and
// reports a household it no longer lists without dropping it, unless asked.
func TestRegisterReimport(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	hhs := seedHouseholds(t, "liangmao")
	changed, dropped := hhs[0], hhs[len(hhs)-1]

	// Votes on both, and a resident of the changed one bound in chat.
	s.ok("paper", "粮贸小区", changed.ID, "agree", "-by", "王芳")
	s.ok("paper", "liangmao", dropped.ID, "agree", "-by", "王芳")
	ctx := context.Background()
	st := s.store()
	if err := st.Bind(ctx, 9001, changed.Ref(), 3, inWindow); err != nil {
		t.Fatal(err)
	}
	before := s.tally()["liangmao"]
	if before.agree != 2 || before.bound != 1 {
		t.Fatalf("before: %+v", before)
	}

	// The updated register: the first room's area corrected, the last room gone.
	data, err := os.ReadFile(seedRegister)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(data), "\r\n"), "\n") {
		fields := strings.Split(strings.TrimRight(l, "\r"), ",")
		if len(fields) == 7 && fields[0] == "粮贸小区" && fields[1] == dropped.Building && fields[2] == dropped.Unit && fields[3] == dropped.Room {
			continue
		}
		if len(fields) == 7 && fields[0] == "粮贸小区" && fields[1] == changed.Building && fields[2] == changed.Unit && fields[3] == changed.Room {
			fields[6] = "99.99"
			l = strings.Join(fields, ",")
		}
		lines = append(lines, l)
	}
	if len(lines) != 808 { // header + 807
		t.Fatalf("updated register has %d lines", len(lines))
	}
	path := filepath.Join(t.TempDir(), "register-2.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	out := s.ok("register", "import", path)
	wantContains(t, "re-import", out,
		"liangmao 粮贸小区: 0 added, 1 updated, 53 unchanged",
		"1 household(s) on record but not in this file (kept; -remove-missing removes them): "+dropped.ID,
		"jinrong 金融小区: 0 added, 0 updated, 170 unchanged")
	after := s.tally()["liangmao"]
	if after != before {
		t.Errorf("re-import without -remove-missing changed the tally: %+v, before %+v", after, before)
	}
	h, err := st.Household(ctx, changed.Ref())
	if err != nil || h.Area.String() != "99.99" {
		t.Errorf("changed household: %+v, %v", h, err)
	}
	if v, ok, err := st.CurrentVote(ctx, changed.Ref()); err != nil || !ok || v.Choice != renovote.ChoiceAgree {
		t.Errorf("vote of the changed household: %+v %v %v", v, ok, err)
	}
	if ref, bound, err := st.Binding(ctx, 9001); err != nil || !bound || ref != changed.Ref() {
		t.Errorf("binding after re-import: %v %v %v", ref, bound, err)
	}
	if h, err := st.Household(ctx, dropped.Ref()); err != nil || h.Removed {
		t.Errorf("missing household dropped without -remove-missing: %+v, %v", h, err)
	}

	// The flag may follow the file, as the usage shows.
	out = s.ok("register", "import", path, "-remove-missing")
	wantContains(t, "re-import -remove-missing", out, "liangmao 粮贸小区: 0 added, 0 updated, 54 unchanged, 1 removed: "+dropped.ID)
	after = s.tally()["liangmao"]
	if after.households != 54 || after.agree != 1 || after.bound != 1 {
		t.Errorf("after -remove-missing: %+v", after)
	}
	if h, err := st.Household(ctx, dropped.Ref()); err != nil || !h.Removed {
		t.Errorf("removed household: %+v, %v", h, err)
	}
}

var linkRe = regexp.MustCompile(`^https://t\.me/fenggang_vote_bot\?start=([A-Za-z0-9_-]{22})$`)

func TestInvites(t *testing.T) {
	s := newStaff(t)
	s.seed()
	if err := s.fails("invite", "export"); !strings.Contains(err.Error(), "BOT_USERNAME (-bot-username) is needed") {
		t.Errorf("export without a bot username: %v", err)
	}

	sheet := filepath.Join(t.TempDir(), "invites.csv")
	out := s.ok("invite", "export", "-bot-username", "@fenggang_vote_bot", "-out", sheet)
	wantContains(t, "export", out, "808 invitation(s) written to "+sheet)
	data, err := os.ReadFile(sheet)
	if err != nil {
		t.Fatal(err)
	}
	first := readInvites(t, string(data))
	if len(first) != 808 {
		t.Fatalf("%d invitations, want 808", len(first))
	}
	codes := map[string]string{} // household key -> code
	seen := map[string]bool{}
	for _, inv := range first {
		if !linkRe.MatchString(inv.link) {
			t.Fatalf("link %q", inv.link)
		}
		if seen[inv.code] || codes[inv.key] != "" {
			t.Fatalf("code or household twice: %+v", inv)
		}
		seen[inv.code] = true
		codes[inv.key] = inv.code
	}

	// Exporting again (to standard output, BOT_USERNAME from the environment)
	// prints the same codes.
	s.env["BOT_USERNAME"] = "fenggang_vote_bot"
	second := readInvites(t, s.ok("invite", "export"))
	if len(second) != 808 {
		t.Fatalf("second export: %d rows", len(second))
	}
	for _, inv := range second {
		if codes[inv.key] != inv.code {
			t.Fatalf("%s: code changed between exports", inv.key)
		}
	}
	if one := readInvites(t, s.ok("invite", "export", "-compound", "粮贸小区")); len(one) != 55 {
		t.Errorf("export of one compound: %d rows, want 55", len(one))
	}
	if err := s.fails("invite", "export", "-out", filepath.Join(t.TempDir(), "no", "such", "dir.csv")); !strings.Contains(err.Error(), "invite export") {
		t.Errorf("export into a missing directory: %v", err)
	}
	if err := s.fails("invite", "export", "-compound", "nowhere"); !strings.Contains(err.Error(), `no households for compound "nowhere"`) {
		t.Errorf("export of an unknown compound: %v", err)
	}

	// Reissue: exactly that household's code changes; the old one is revoked.
	ctx := context.Background()
	st := s.store()
	hh := seedHouseholds(t, "liangmao")[3]
	key := "粮贸小区 " + hh.Building + " " + hh.Unit + " " + hh.Room
	old := codes[key]
	if old == "" {
		t.Fatalf("no code for %s", key)
	}
	out = s.ok("invite", "reissue", "liangmao", hh.ID)
	wantContains(t, "reissue", out, "new invitation of liangmao/"+hh.ID, "https://t.me/fenggang_vote_bot?start=")
	third := readInvites(t, s.ok("invite", "export"))
	for _, inv := range third {
		switch {
		case inv.key == key && inv.code == old:
			t.Errorf("reissue kept the old code")
		case inv.key == key:
			if !strings.Contains(out, inv.link) {
				t.Errorf("reissue printed %q, export has %q", out, inv.link)
			}
			if ref, err := st.ResolveInvite(ctx, inv.code); err != nil || ref != hh.Ref() {
				t.Errorf("new code resolves to %v, %v", ref, err)
			}
		case codes[inv.key] != inv.code:
			t.Errorf("reissue changed the code of %s too", inv.key)
		}
	}
	if _, err := st.ResolveInvite(ctx, old); !errors.Is(err, renovote.ErrRevoked) {
		t.Errorf("old code after reissue: %v, want ErrRevoked", err)
	}

	// Revoke: the code no longer works.
	other := seedHouseholds(t, "liangmao")[4]
	otherCode := codes["粮贸小区 "+other.Building+" "+other.Unit+" "+other.Room]
	wantContains(t, "revoke", s.ok("invite", "revoke", "粮贸小区", other.ID), "invitation of liangmao/"+other.ID+" revoked")
	if _, err := st.ResolveInvite(ctx, otherCode); !errors.Is(err, renovote.ErrRevoked) {
		t.Errorf("code after revoke: %v, want ErrRevoked", err)
	}

	for _, args := range [][]string{
		{"invite", "reissue", "liangmao"},
		{"invite", "reissue", "liangmao", "9-9-999"},
		{"invite", "revoke", "nowhere", "1-1-101"},
		{"invite", "revoke", "liangmao", "101"},
	} {
		s.fails(args...)
	}
}

func TestPaper(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	hh := seedHouseholds(t, "liangmao")[0]
	ctx := context.Background()
	st := s.store()

	out := s.ok("paper", "粮贸小区", hh.ID, "agree", "-by", "王芳")
	wantContains(t, "paper", out, "recorded agree for liangmao/"+hh.ID+" by 王芳 (paper)", `previous ""`, "receipt ")
	v, ok, err := st.CurrentVote(ctx, hh.Ref())
	if err != nil || !ok || v.Choice != renovote.ChoiceAgree || v.Channel != renovote.ChannelPaper || v.Actor != "cli:王芳" || !v.At.Equal(inWindow) {
		t.Errorf("stored vote %+v %v %v", v, ok, err)
	}

	// A proxy ballot changes the household's one vote; flags may come first.
	out = s.ok("paper", "-channel", "proxy", "-evidence", "photo-17", "-by", "李娜", "liangmao", hh.ID, "不同意")
	wantContains(t, "proxy", out, "recorded disagree", "(proxy)", `previous "agree"`)
	v, _, _ = st.CurrentVote(ctx, hh.Ref())
	if v.Channel != renovote.ChannelProxy || v.Evidence != "photo-17" || v.Actor != "cli:李娜" {
		t.Errorf("stored proxy vote %+v", v)
	}
	if c := s.tally()["liangmao"]; c.voted != 1 || c.agree != 0 || c.disagree != 1 {
		t.Errorf("tally after two ballots of one household: %+v", c)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"paper", "liangmao", hh.ID, "agree"}, "-by is required"},
		{[]string{"paper", "liangmao", hh.ID, "agree", "-by", "  "}, "-by is required"},
		{[]string{"paper", "liangmao", hh.ID, "agree", "-by", "王芳", "-channel", "chat"}, "-channel must be paper or proxy"},
		{[]string{"paper", "liangmao", hh.ID, "maybe", "-by", "王芳"}, `choice "maybe"`},
		{[]string{"paper", "liangmao", "9-9-999", "agree", "-by", "王芳"}, "household 9-9-999 is not on the register of 粮贸小区"},
		{[]string{"paper", "幸福小区", hh.ID, "agree", "-by", "王芳"}, `compound "幸福小区": not found`},
		{[]string{"paper", "liangmao", "101", "agree", "-by", "王芳"}, "want building-unit-room"},
		{[]string{"paper", "liangmao", hh.ID, "-by", "王芳"}, "give COMPOUND HOUSEHOLD agree|disagree"},
	} {
		err := s.fails(tc.args...)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}

	// After the window closes, no ballot is taken.
	setNow(t, afterWindow)
	err = s.fails("paper", "liangmao", seedHouseholds(t, "liangmao")[1].ID, "agree", "-by", "王芳")
	if !errors.Is(err, renovote.ErrBallotClosed) && !strings.Contains(err.Error(), "ballot closed") {
		t.Errorf("after the window: %v", err)
	}
	wantContains(t, "error", err.Error(), "ballot closed")
	if c := s.tally()["liangmao"]; c.voted != 1 {
		t.Errorf("a ballot after the window counted: %+v", c)
	}
}

// The county rule at its boundary: 37 of 55 is 2/3 ("以上" includes the number
// itself), 36 is not.
func TestTallyBoundary(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	hhs := seedHouseholds(t, "liangmao")
	for _, h := range hhs[:36] {
		s.ok("paper", "liangmao", h.ID, "agree", "-by", "社区王芳")
	}
	s.ok("paper", "liangmao", hhs[36].ID, "disagree", "-by", "社区王芳")
	tl := s.tally()
	if c := tl["liangmao"]; c.households != 55 || c.voted != 37 || c.agree != 36 || c.disagree != 1 || c.pass {
		t.Errorf("36 agree of 55: %+v", c)
	}
	// The 37th household changes its mind: the latest vote counts.
	s.ok("paper", "liangmao", hhs[36].ID, "agree", "-by", "社区王芳")
	tl = s.tally()
	if c := tl["liangmao"]; c.voted != 37 || c.agree != 37 || c.disagree != 0 || !c.pass {
		t.Errorf("37 agree of 55: %+v", c)
	}
	for _, c := range seedCompounds[1:] {
		if got := tl[c.id]; got.households != c.households || got.voted != 0 || got.pass {
			t.Errorf("%s: %+v", c.id, got)
		}
	}

	out := s.ok("tally", "-json")
	var tj tallyJSON
	if err := json.Unmarshal([]byte(out), &tj); err != nil {
		t.Fatal(err)
	}
	if tj.Programme != "fenggang_2020" || len(tj.Compounds) != 5 {
		t.Fatalf("tally -json: %s", out)
	}
	for i, c := range tj.Compounds {
		if c.ID != seedCompounds[i].id || c.Name != seedCompounds[i].name || len(c.Outcome.Tests) != 1 {
			t.Errorf("compound %d: %+v", i, c)
			continue
		}
		test := c.Outcome.Tests[0]
		if test.Den != seedCompounds[i].households {
			t.Errorf("%s: test against %d, want %d households", c.ID, test.Den, seedCompounds[i].households)
		}
		if i > 0 && test.Needed != seedCompounds[i].needed {
			t.Errorf("%s: %d more needed, want %d", c.ID, test.Needed, seedCompounds[i].needed)
		}
	}

	text := s.ok("tally")
	parts := strings.Split(text, "📊 ")
	if len(parts) != 6 {
		t.Fatalf("tally text has %d sections, want 5:\n%s", len(parts)-1, text)
	}
	for i, c := range seedCompounds {
		sec := parts[i+1]
		wantContains(t, c.id+" section", sec, c.name, "总户数 "+strconv.FormatInt(c.households, 10))
		if i == 0 {
			wantContains(t, "liangmao section", sec, "同意 37，不同意 0，未投票 18", "37/55", "结果：已达到规则要求。")
		} else {
			wantContains(t, c.id+" section", sec, "同意 0，不同意 0", "结果：尚未达到规则要求。")
		}
	}
}

func TestWorkers(t *testing.T) {
	s := newStaff(t)
	if out := s.ok("worker", "list"); out != "" {
		t.Errorf("workers at first: %q", out)
	}
	wantContains(t, "add", s.ok("worker", "add", "1002"), "worker 1002 added")
	s.ok("worker", "add", "1001")
	if out := s.ok("worker", "list"); out != "1001\n1002\n" {
		t.Errorf("list: %q", out)
	}
	wantContains(t, "remove", s.ok("worker", "remove", "1002"), "worker 1002 removed")
	if out := s.ok("worker", "list"); out != "1001\n" {
		t.Errorf("list after remove: %q", out)
	}
	for _, args := range [][]string{{"worker", "add"}, {"worker", "add", "abc"}, {"worker", "add", "-5"}, {"worker", "remove", "1", "2"}} {
		s.fails(args...)
	}
	st := s.store()
	if ok, err := st.IsWorker(context.Background(), 1001); err != nil || !ok {
		t.Errorf("1001 is not a worker in the store: %v %v", ok, err)
	}
}
