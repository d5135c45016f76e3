package report_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/store"
	"github.com/renovote/renovote/store/storetest"
)

// publicityFixture is the seed programme on a store: 粮贸小区 under the county
// rule, 老中医院小区 under the Civil Code's major-matters rule (area and owner
// tests), 金融小区 without a publicity window; the generated register (names
// and phones included, which the notice must never show) and deterministic
// votes in chat, on paper and by proxy.
func publicityFixture(t *testing.T) (*store.Store, renovote.Programme, []renovote.Household) {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	p := programme.Seed()
	p.Compounds[1].Rule, _ = renovote.PresetRule(renovote.RuleCivilCodeMajor)
	p.Compounds[4].Publicity = renovote.Window{}
	if err := st.ApplyProgramme(ctx, p); err != nil {
		t.Fatal(err)
	}
	loc, err := p.Location()
	if err != nil {
		t.Fatal(err)
	}
	hhs := register.GenerateSeed(p, 7)
	byCompound := map[string][]renovote.Household{}
	for _, h := range hhs {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	voteAt := time.Date(2020, 5, 6, 9, 0, 0, 0, loc)
	for ci, c := range p.Compounds {
		if _, err := st.ImportRegister(ctx, c.ID, byCompound[c.ID], store.ImportOptions{Actor: "cli:test", Now: voteAt.Add(-72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		for i, h := range byCompound[c.ID] {
			var choice renovote.Choice
			switch k := (i*7 + ci) % 12; {
			case k < 8:
				choice = renovote.ChoiceAgree
			case k < 10:
				choice = renovote.ChoiceDisagree
			default:
				continue
			}
			cmd := renovote.VoteCmd{Ref: h.Ref(), Choice: choice, Channel: renovote.ChannelChat, Actor: fmt.Sprintf("tg:%d", 7000+i),
				OpID: fmt.Sprintf("pub:%s:%d", c.ID, i), ReceiptID: fmt.Sprintf("P%d", i), At: voteAt.Add(time.Duration(i) * time.Minute)}
			if i%9 == 4 {
				cmd.Channel, cmd.Actor = renovote.ChannelPaper, "cli:王芳"
			}
			if _, err := st.CastVote(ctx, cmd); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st, p, hhs
}

// The notice of each kind of compound, as HTML, against golden files: after
// the ballot (county rule, publicity window), during it (the Civil Code's
// rule with area and owner tests), and without a publicity window (blanks).
func TestPublicityHTML(t *testing.T) {
	st, p, hhs := publicityFixture(t)
	ctx := context.Background()
	loc, _ := p.Location()
	for _, tc := range []struct {
		compound string
		at       time.Time
		golden   string
	}{
		{"粮贸小区", time.Date(2020, 5, 21, 8, 0, 0, 0, loc), "publicity_liangmao.html"},
		{"laozhongyiyuan", time.Date(2020, 5, 12, 18, 30, 0, 0, loc), "publicity_laozhongyiyuan_open.html"},
		{"jinrong", time.Date(2020, 5, 22, 9, 15, 0, 0, loc), "publicity_jinrong_nowindow.html"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			pub, err := report.BuildPublicity(ctx, st, p, tc.compound, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := report.PublicityHTML(&b, pub); err != nil {
				t.Fatal(err)
			}
			html := b.String()
			checkNoPersonalData(t, html, hhs)
			for _, want := range []string{"<!DOCTYPE html>", "<title>", "@media print", "@page { size: A4", "社区居民委员会（盖章）", "/objection"} {
				if !strings.Contains(html, want) {
					t.Errorf("the notice lacks %q", want)
				}
			}
			for _, ext := range []string{"<script", "http://", "https://", "<link", "<img", "url("} {
				if strings.Contains(html, ext) {
					t.Errorf("the notice is not self-contained: it has %q", ext)
				}
			}
			// The verdict is the domain's: the rule evaluated on the stored tally.
			tally, err := st.Tally(ctx, pub.CompoundID)
			if err != nil {
				t.Fatal(err)
			}
			c, _ := p.CompoundByName(tc.compound)
			if o := c.Rule.Evaluate(tally); o.Pass != pub.Outcome.Pass || len(o.Results) != len(pub.Outcome.Results) {
				t.Errorf("outcome %+v, the rule on the tally gives %+v", pub.Outcome, o)
			}
			goldenFile(t, tc.golden, html)
		})
	}
	if _, err := report.BuildPublicity(ctx, st, p, "nowhere", time.Now()); !errors.Is(err, renovote.ErrNotFound) {
		t.Errorf("unknown compound: %v, want ErrNotFound", err)
	}
}

// Compound names are data: escaped, never markup.
func TestPublicityEscapes(t *testing.T) {
	pub := report.Publicity{ProgrammeID: "p", Programme: `A&B <script>alert(1)</script>`, CompoundID: "c",
		Compound: `"<b>小区</b>"`, Rule: renovote.DefaultRule(), Generated: time.Date(2020, 5, 21, 8, 0, 0, 0, time.UTC)}
	pub.Outcome = pub.Rule.Evaluate(pub.Tally)
	var b bytes.Buffer
	if err := report.PublicityHTML(&b, pub); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); strings.Contains(s, "<script>") || strings.Contains(s, "<b>小区</b>") || !strings.Contains(s, "&lt;b&gt;小区&lt;/b&gt;") {
		t.Errorf("names not escaped:\n%s", s)
	}
	if got := pub.FileName(); got != "p-c-公示-20200521-0800.html" {
		t.Errorf("FileName = %q", got)
	}
}

// checkNoPersonalData fails when the notice shows an owner's name, a phone
// number, or a household's room or id.
func checkNoPersonalData(t *testing.T, html string, hhs []renovote.Household) {
	t.Helper()
	for _, h := range hhs {
		for what, s := range map[string]string{"owner": h.Owner, "phone": h.Phone, "household id": h.ID,
			"address": h.Label()} {
			if s != "" && strings.Contains(html, s) {
				t.Fatalf("the notice shows a %s: %q", what, s)
			}
		}
	}
	for _, s := range []string{"王芳", "tg:", "cli:"} {
		if strings.Contains(html, s) {
			t.Fatalf("the notice shows who entered votes: %q", s)
		}
	}
}

func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		a, b := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := 0; i < len(a) || i < len(b); i++ {
			var x, y string
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			if x != y {
				t.Fatalf("%s differs at line %d (run go test -update to accept):\n- %s\n+ %s", path, i+1, x, y)
			}
		}
	}
}
