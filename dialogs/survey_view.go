package dialogs

import (
	"strconv"
	"strings"

	"github.com/renovote/renovote"
)

// How the survey's steps look: the text and the buttons of each step.

// rankMarks show an item's place among the most urgent.
var rankMarks = []string{"①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧", "⑨"}

func rankMark(i int) string {
	if i < len(rankMarks) {
		return rankMarks[i]
	}
	return "(" + strconv.Itoa(i+1) + ")"
}

// listSep joins the items of a list in running text.
func listSep(l lang) string {
	if l == zh {
		return "、"
	}
	return ", "
}

// grid lays buttons out per to a row.
func grid(bs []Button, per int) [][]Button {
	var rows [][]Button
	for i := 0; i < len(bs); i += per {
		rows = append(rows, bs[i:min(i+per, len(bs))])
	}
	return rows
}

// itemNames maps item ids to names for people; a name used by items of two
// parts gets its part: "消防设施（小区公共区域）".
func itemNames(l lang, p renovote.Programme) map[string]string {
	count := map[string]int{}
	for _, part := range p.Menu.Parts {
		for _, it := range part.Items {
			count[it.Name]++
		}
	}
	out := map[string]string{}
	for _, part := range p.Menu.Parts {
		for _, it := range part.Items {
			out[it.ID] = it.Name
			if count[it.Name] > 1 {
				out[it.ID] = mWithPart.f(l, it.Name, part.Name)
			}
		}
	}
	return out
}

// plainNames maps item ids to their names, for lists within one part.
func plainNames(p renovote.Programme) map[string]string {
	out := map[string]string{}
	for _, part := range p.Menu.Parts {
		for _, it := range part.Items {
			out[it.ID] = it.Name
		}
	}
	return out
}

// rankedList: "① 屋面修缮 ② 雨污管线", or "无".
func rankedList(l lang, names map[string]string, ids []string) string {
	if len(ids) == 0 {
		return mNone.s(l)
	}
	var parts []string
	for i, id := range ids {
		parts = append(parts, rankMark(i)+" "+orID(names[id], id))
	}
	return strings.Join(parts, " ")
}

func orID(name, id string) string {
	if name == "" {
		return id
	}
	return name
}

// surveyView is the text and buttons of the draft's current step.
func (t *turn) surveyView(env surveyEnv, d *SurveyDraft) (string, [][]Button) {
	l := t.l
	cur := env.cur(d)
	questions := len(env.steps) - 1
	data := func(action string) string { return "s:" + d.ID + ":" + strconv.Itoa(d.Step) + ":" + action }
	btn := func(label msg, action string) Button { return Button{Label: label.s(l), Data: data(action)} }
	var b strings.Builder
	var rows [][]Button
	if cur.kind != stepReview {
		b.WriteString(mSurveyStepOf.f(l, d.Step+1, questions) + "\n")
	}
	nav := func(next bool) {
		var row []Button
		if d.Step > 0 {
			row = append(row, btn(mBtnBack, "b"))
		}
		if next {
			row = append(row, btn(mBtnNext, "n"))
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		rows = append(rows, []Button{btn(mBtnCancel, "x")})
	}
	switch cur.kind {
	case stepUrgent:
		part := env.p.Menu.Parts[cur.part]
		req := env.p.Menu.RequiredClasses()
		if part.Goal != "" {
			b.WriteString(mSurveyPartGoal.f(l, part.Name, part.Goal) + "\n")
		} else {
			b.WriteString(mSurveyPart.f(l, part.Name) + "\n")
		}
		b.WriteString(mSurveyUrgentAsk.f(l, renovote.MaxUrgent) + "\n")
		chosen := d.Urgent[part.ID]
		b.WriteString(mSurveyChosen.f(l, rankedList(l, plainNames(env.p), chosen)))
		var bs []Button
		for j, it := range part.Items {
			if !req[it.Class] {
				continue
			}
			label := it.Name
			for k, id := range chosen {
				if id == it.ID {
					label = rankMark(k) + " " + it.Name
				}
			}
			bs = append(bs, Button{Label: label, Data: data("u:" + strconv.Itoa(cur.part) + ":" + strconv.Itoa(j))})
		}
		rows = grid(bs, 2)
		nav(true)
	case stepUpgrades:
		b.WriteString(mSurveyUpgradesAsk.s(l) + "\n")
		b.WriteString(mSurveyUpgradesChosen.f(l, len(d.Upgrades)))
		want := map[string]bool{}
		for _, id := range d.Upgrades {
			want[id] = true
		}
		names := itemNames(l, env.p)
		var bs []Button
		for j, it := range env.p.Menu.Upgrades() {
			label := names[it.ID]
			if want[it.ID] {
				label = "✅ " + label
			}
			bs = append(bs, Button{Label: label, Data: data("g:" + strconv.Itoa(j))})
		}
		rows = grid(bs, 2)
		nav(true)
	case stepContribute:
		b.WriteString(mSurveyContributeAsk.s(l))
		mark := func(on bool, label string) string {
			if on {
				return "✅ " + label
			}
			return label
		}
		rows = append(rows, []Button{{Label: mark(d.Answered && !d.Contribute, mBtnNoContribution.s(l)), Data: data("c:0")}})
		for k, band := range env.p.Bands() {
			on := d.Answered && d.Contribute && d.Band == band.ID
			rows = append(rows, []Button{{Label: mark(on, band.Name), Data: data("c:" + strconv.Itoa(k+1))}})
		}
		nav(false)
	case stepComment:
		b.WriteString(mSurveyCommentAsk.f(l, renovote.MaxCommentRunes))
		if d.Comment == "" {
			rows = append(rows, []Button{btn(mBtnSkip, "k")})
		} else {
			b.WriteString("\n\n" + mSurveyCommentHave.f(l, d.Comment))
			rows = append(rows, []Button{btn(mBtnNext, "k"), btn(mBtnClearComment, "kc")})
		}
		nav(false)
	case stepPhotos:
		b.WriteString(mSurveyPhotosAsk.f(l, renovote.MaxSurveyPhotos))
		if n := len(d.Photos); n > 0 {
			b.WriteString("\n" + mSurveyPhotosHave.f(l, n))
			rows = append(rows, []Button{btn(mBtnDone, "d"), btn(mBtnClearPhotos, "pc")})
		} else {
			rows = append(rows, []Button{btn(mBtnDone, "d")})
		}
		nav(false)
	default:
		b.WriteString(mSurveyReviewTitle.s(l) + "\n")
		if !d.Prefilled.IsZero() {
			b.WriteString(mSurveyPrefilled.f(l, fmtTime(l, env.loc, d.Prefilled)) + "\n")
		}
		b.WriteString("🏠 " + place(l, env.c, env.h) + "\n")
		b.WriteString(surveySummary(l, env.p, d) + "\n\n")
		b.WriteString(mSurveyReviewAsk.s(l))
		rows = [][]Button{
			{btn(mBtnSubmit, "ok")},
			{btn(mBtnBack, "b"), btn(mBtnChange, "e")},
			{btn(mBtnCancel, "x")},
		}
	}
	return b.String(), rows
}

// surveySummary lists the draft's answers, free text exactly as typed.
func surveySummary(l lang, p renovote.Programme, d *SurveyDraft) string {
	names, plain := itemNames(l, p), plainNames(p)
	req := p.Menu.RequiredClasses()
	var lines []string
	for _, part := range p.Menu.Parts {
		has := false
		for _, it := range part.Items {
			has = has || req[it.Class]
		}
		if has {
			lines = append(lines, mSurveyReviewUrgent.f(l, part.Name, rankedList(l, plain, d.Urgent[part.ID])))
		}
	}
	if len(p.Menu.Upgrades()) > 0 {
		ups := mNone.s(l)
		if len(d.Upgrades) > 0 {
			var ns []string
			for _, id := range d.Upgrades {
				ns = append(ns, orID(names[id], id))
			}
			ups = strings.Join(ns, listSep(l))
		}
		lines = append(lines, mSurveyReviewUpgrades.f(l, ups))
	}
	money := mSurveyUnanswered.s(l)
	switch {
	case d.Answered && !d.Contribute:
		money = mSurveyNoContribution.s(l)
	case d.Answered:
		money = d.Band
		for _, band := range p.Bands() {
			if band.ID == d.Band {
				money = band.Name
			}
		}
	}
	lines = append(lines, mSurveyReviewContribute.f(l, money))
	comment := mNone.s(l)
	if d.Comment != "" {
		comment = d.Comment
	}
	lines = append(lines, mSurveyReviewComment.f(l, comment))
	lines = append(lines, mSurveyReviewPhotos.f(l, len(d.Photos)))
	for i, ph := range d.Photos {
		if ph.Caption != "" {
			lines = append(lines, "  "+strconv.Itoa(i+1)+". "+ph.Caption)
		}
	}
	return strings.Join(lines, "\n")
}
