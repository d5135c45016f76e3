package storesuite

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/store"
)

// The publicity window (公示期) of the fixture's 粮贸小区 and 测试小区: the
// week after the ballot closes. 老中医院小区 has none.
var (
	pubOpens  = closes.Add(8 * time.Hour)
	pubCloses = closes.Add(7 * 24 * time.Hour)
	pubDuring = pubOpens.Add(26 * time.Hour)
)

func publicityProgramme() renovote.Programme {
	p := testProgramme()
	for i := range p.Compounds {
		if p.Compounds[i].ID != lzy {
			p.Compounds[i].Publicity = renovote.Window{Opens: pubOpens, Closes: pubCloses}
		}
	}
	return p
}

// setupPublicity is setup with the publicity windows applied.
func setupPublicity(t testing.TB) (Store, map[string][]renovote.Household) {
	t.Helper()
	s, regs := setup(t)
	must(t, s.ApplyProgramme(context.Background(), publicityProgramme()))
	return s, regs
}

func newObjection(h renovote.Household, user int64, text string, at time.Time) renovote.Objection {
	return renovote.Objection{CompoundID: h.CompoundID, Household: h.Ref(), UserID: user, Text: text, Created: at}
}

// An objection is filed once per op id, listed as open, answered once, and
// every filing and answer is audited.
func TestObjectionLifecycle(t *testing.T) {
	t.Parallel()
	s, regs := setupPublicity(t)
	ctx := context.Background()
	h := regs[lm][3]
	text := "我家投的是同意，记录却是不同意。<b>请核对</b>\n——3栋"

	o, err := s.FileObjection(ctx, newObjection(h, 4242, text, pubDuring), "tg:upd:1")
	must(t, err)
	if o.ID != "O1" || o.Status != renovote.ObjectionOpen || o.Text != text || o.UserID != 4242 ||
		o.Household != h.Ref() || !o.Created.Equal(pubDuring) || o.AnsweredBy != "" {
		t.Fatalf("filed %+v", o)
	}
	again, err := s.FileObjection(ctx, newObjection(h, 4242, "another text, same update", pubDuring.Add(time.Minute)), "tg:upd:1")
	must(t, err)
	if again != o {
		t.Fatalf("retried filing gave %+v, want %+v", again, o)
	}
	o2, err := s.FileObjection(ctx, newObjection(regs[lm][7], 4343, "时间不对", pubDuring.Add(time.Hour)), "tg:upd:2")
	must(t, err)
	if o2.ID != "O2" {
		t.Fatalf("second objection %s", o2.ID)
	}
	all, err := s.Objections(ctx, lm)
	must(t, err)
	open, err := s.OpenObjections(ctx, lm)
	must(t, err)
	if len(all) != 2 || len(open) != 2 || open[0].ID != "O1" || open[1].ID != "O2" {
		t.Fatalf("all %v, open %v", all, open)
	}

	answerAt := pubDuring.Add(3 * time.Hour)
	a, err := s.AnswerObjection(ctx, lm, "O1", "tg:900", "已核对纸质票", answerAt, "tg:upd:3")
	must(t, err)
	if a.Status != renovote.ObjectionAnswered || a.AnsweredBy != "tg:900" || !a.Answered.Equal(answerAt) ||
		a.Note != "已核对纸质票" || a.Text != text {
		t.Fatalf("answered %+v", a)
	}
	replay, err := s.AnswerObjection(ctx, lm, "O1", "tg:901", "", answerAt.Add(time.Hour), "tg:upd:3")
	must(t, err)
	if replay != a {
		t.Fatalf("retried answer gave %+v, want %+v", replay, a)
	}
	cur, err := s.AnswerObjection(ctx, lm, "O1", "tg:901", "", answerAt.Add(time.Hour), "tg:upd:4")
	wantErr(t, err, renovote.ErrConflict)
	if cur != a {
		t.Fatalf("answering again returned %+v, want the objection as it is %+v", cur, a)
	}
	open, err = s.OpenObjections(ctx, lm)
	must(t, err)
	if len(open) != 1 || open[0].ID != "O2" {
		t.Fatalf("open after the answer: %v", open)
	}
	got, err := s.Objection(ctx, lm, "O1")
	must(t, err)
	if got != a {
		t.Fatalf("Objection = %+v", got)
	}

	audit, err := s.ObjectionAudit(ctx, lm)
	must(t, err)
	var lines []string
	for _, c := range audit {
		lines = append(lines, fmt.Sprintf("%s %s %s user=%d by=%s at=%s op=%s", c.Op, c.ID, c.Household, c.UserID, c.Actor,
			c.At.In(shanghai).Format(time.DateTime), c.OpID))
	}
	want := []string{
		"file O1 liangmao/1-1-202 user=4242 by=tg:4242 at=2020-05-02 10:00:00 op=tg:upd:1",
		"file O2 liangmao/1-1-402 user=4343 by=tg:4343 at=2020-05-02 11:00:00 op=tg:upd:2",
		"answer O1 liangmao/1-1-202 user=4242 by=tg:900 at=2020-05-02 13:00:00 op=tg:upd:3",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The vote audit is left alone: objections are not votes.
	n, err := s.AuditLen(ctx, lm)
	must(t, err)
	if n != 0 {
		t.Fatalf("vote audit has %d entries", n)
	}
}

// The window is checked at the objection's time, [opens, closes), in the
// script; a compound without a window refuses every objection. Nothing is
// stored or audited for a refused one.
func TestObjectionWindow(t *testing.T) {
	t.Parallel()
	s, regs := setupPublicity(t)
	ctx := context.Background()
	h := regs[lm][0]
	for i, tc := range []struct {
		at   time.Time
		h    renovote.Household
		want error
	}{
		{pubOpens.Add(-time.Nanosecond), h, renovote.ErrObjectionNotOpen},
		{pubOpens, h, nil},
		{pubCloses.Add(-time.Nanosecond), h, nil},
		{pubCloses, h, renovote.ErrObjectionClosed},
		{pubDuring, regs[lzy][0], renovote.ErrObjectionNotOpen}, // no window
	} {
		_, err := s.FileObjection(ctx, newObjection(tc.h, 1, "记录有误", tc.at), fmt.Sprintf("w:%d", i))
		if tc.want == nil {
			must(t, err)
		} else {
			wantErr(t, err, tc.want)
		}
	}
	all, err := s.Objections(ctx, lm)
	must(t, err)
	if len(all) != 2 {
		t.Fatalf("%d objections stored, want the 2 in the window", len(all))
	}
	for _, c := range []string{lm, lzy} {
		audit, err := s.ObjectionAudit(ctx, c)
		must(t, err)
		if want := map[string]int{lm: 2, lzy: 0}[c]; len(audit) != want {
			t.Fatalf("%s: %d audit entries, want %d", c, len(audit), want)
		}
	}

	// A programme without the window takes it away; one with it gives it back.
	must(t, s.ApplyProgramme(ctx, testProgramme()))
	_, err = s.FileObjection(ctx, newObjection(h, 1, "记录有误", pubDuring), "w:gone")
	wantErr(t, err, renovote.ErrObjectionNotOpen)
	must(t, s.ApplyProgramme(ctx, publicityProgramme()))
	_, err = s.FileObjection(ctx, newObjection(h, 1, "记录有误", pubDuring), "w:back")
	must(t, err)
}

func TestObjectionInvalid(t *testing.T) {
	t.Parallel()
	s, regs := setupPublicity(t)
	ctx := context.Background()
	h := regs[lm][0]
	ok := newObjection(h, 1, "记录有误", pubDuring)
	for name, tc := range map[string]struct {
		edit func(*renovote.Objection)
		op   string
		want error
	}{
		"blank text":      {func(o *renovote.Objection) { o.Text = "  " }, "x", renovote.ErrInvalid},
		"long text":       {func(o *renovote.Objection) { o.Text = strings.Repeat("长", renovote.MaxObjectionRunes+1) }, "x", renovote.ErrInvalid},
		"no user":         {func(o *renovote.Objection) { o.UserID = 0 }, "x", renovote.ErrInvalid},
		"no op":           {func(*renovote.Objection) {}, "", renovote.ErrInvalid},
		"bad compound":    {func(o *renovote.Objection) { o.CompoundID, o.Household.CompoundID = "{c:x}", "{c:x}" }, "x", renovote.ErrInvalid},
		"unknown house":   {func(o *renovote.Objection) { o.Household.HouseholdID = "9-9-999" }, "x", renovote.ErrNotFound},
		"unknown compund": {func(o *renovote.Objection) { o.CompoundID, o.Household.CompoundID = "nope", "nope" }, "x", renovote.ErrNotFound},
	} {
		o := ok
		tc.edit(&o)
		_, err := s.FileObjection(ctx, o, tc.op)
		if !errorsIs(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}

	// A household removed from the register may not object.
	regs2 := append([]renovote.Household(nil), regs[lm][1:]...)
	_, err := s.ImportRegister(ctx, lm, regs2, store.ImportOptions{Actor: "cli:test", Now: opens, RemoveMissing: true})
	must(t, err)
	_, err = s.FileObjection(ctx, ok, "removed")
	wantErr(t, err, renovote.ErrRemoved)

	for name, tc := range map[string]struct {
		compound, id, actor string
		want                error
	}{
		"bad id":        {lm, "R1", "tg:1", renovote.ErrInvalid},
		"unknown id":    {lm, "O99", "tg:1", renovote.ErrNotFound},
		"bad compound":  {"a:b", "O1", "tg:1", renovote.ErrInvalid},
		"missing actor": {lm, "O1", "", renovote.ErrNotFound}, // no O1 yet: not found first
	} {
		_, err := s.AnswerObjection(ctx, tc.compound, tc.id, tc.actor, "", pubDuring, "a:"+name)
		if !errorsIs(err, tc.want) {
			t.Errorf("answer, %s: %v, want %v", name, err, tc.want)
		}
	}
	o, err := s.FileObjection(ctx, newObjection(regs[lm][1], 1, "记录有误", pubDuring), "filed")
	must(t, err)
	_, err = s.AnswerObjection(ctx, lm, o.ID, "", "", pubDuring, "a:no-actor")
	wantErr(t, err, renovote.ErrInvalid)
	_, err = s.AnswerObjection(ctx, lm, o.ID, "tg:1", strings.Repeat("注", renovote.MaxObjectionNoteRunes+1), pubDuring, "a:long")
	wantErr(t, err, renovote.ErrInvalid)
	if cur, err := s.Objection(ctx, lm, o.ID); err != nil || cur.Status != renovote.ObjectionOpen {
		t.Fatalf("after refused answers: %+v, %v", cur, err)
	}
}

// Filings race with the same op ids; workers race to answer: ids stay
// consecutive, each filing is stored once and each objection answered once.
func TestObjectionsConcurrent(t *testing.T) {
	t.Parallel()
	s, regs := setupPublicity(t)
	ctx := context.Background()
	hhs := regs[lm]
	const n = 200
	run(t, 32, n, func(i int) error {
		h := hhs[i%len(hhs)]
		_, err := s.FileObjection(ctx, newObjection(h, int64(1000+i/2), "记录有误", pubDuring.Add(time.Duration(i/2)*time.Second)),
			fmt.Sprintf("tg:upd:%d", i/2)) // every op id twice
		return err
	})
	all, err := s.Objections(ctx, lm)
	must(t, err)
	if len(all) != n/2 {
		t.Fatalf("%d objections for %d filings", len(all), n/2)
	}
	seen := map[string]bool{}
	for i, o := range all {
		seen[o.ID] = true
		if i > 0 && o.Created.Before(all[i-1].Created) {
			t.Fatalf("objections not oldest first at %d", i)
		}
	}
	for i := 1; i <= n/2; i++ {
		if !seen[fmt.Sprintf("O%d", i)] {
			t.Fatalf("id O%d missing: ids are not consecutive", i)
		}
	}
	for k := 1; k <= 10; k++ {
		id := fmt.Sprintf("O%d", k)
		var answered, conflicts atomic.Int64
		run(t, 8, 8, func(i int) error {
			_, err := s.AnswerObjection(ctx, lm, id, fmt.Sprintf("tg:%d", i), "", pubDuring, fmt.Sprintf("ans:%s:%d", id, i))
			switch {
			case err == nil:
				answered.Add(1)
			case errorsIs(err, renovote.ErrConflict):
				conflicts.Add(1)
			default:
				return err
			}
			return nil
		})
		if answered.Load() != 1 || conflicts.Load() != 7 {
			t.Fatalf("%s: %d answers, %d conflicts", id, answered.Load(), conflicts.Load())
		}
	}
	open, err := s.OpenObjections(ctx, lm)
	must(t, err)
	if len(open) != n/2-10 {
		t.Fatalf("%d open", len(open))
	}
	audit, err := s.ObjectionAudit(ctx, lm)
	must(t, err)
	if len(audit) != n/2+10 {
		t.Fatalf("%d audit entries, want %d filings and 10 answers", len(audit), n/2)
	}
}
