package dialogs

import (
	"context"
	"fmt"
	"strings"

	"github.com/renovote/renovote"
)

// /report: the housing bureau's report in chat (staff). A compact table per
// compound of the sender's scope (households, bound, voted, agree, each rule
// test, what is still needed), the survey's top 3 must-do items over those
// compounds, and a button that sends the whole report as a spreadsheet
// (Config.Report: 汇总, 楼栋, 调查结果, 住户明细), and one that sends the
// charts as photos (Config.Charts: consent against the threshold, survey
// items ranked, votes day by day), both of the sender's scope.
//
// Who gets what. Admins and the bureau read every compound; a worker reads the
// compounds of their scope only (renovote.StaffMember.Covers), in the text and
// in the spreadsheet alike. The spreadsheet carries owner names and phones
// for every member of staff who may read it, within their scope: the bureau
// reads everything by its role, and workers need them for their door visits
// (the /nonvoters list carries them too). Residents are refused. Names and
// phones never appear in the chat text.

// maxReportCompounds is how many compounds /report shows in chat; the
// spreadsheet always has all of the sender's scope.
const maxReportCompounds = maxTallyCompounds

// reportTopItems is how many survey items /report shows.
const reportTopItems = 3

func (t *turn) bureauReport() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	scope := inScope(p, m)
	if len(scope) == 0 {
		return t.say(mBReportNone.s(t.l)), nil
	}
	parts := []string{mBReportHead.f(t.l, p.Name, fmtTime(t.l, location(p), t.now))}
	var sum renovote.SurveyCounts
	surveys := 0
	tallies, counts, err := t.counters(scope)
	if err != nil {
		return t.fail("counters", err)
	}
	for i, c := range scope {
		if i < maxReportCompounds {
			parts = append(parts, reportLine(t.l, c, tallies[i]))
		}
		if hasSurvey(c) {
			sum = sum.Add(counts[i])
			surveys++
		}
	}
	if len(scope) > maxReportCompounds {
		parts = append(parts, mBReportMore.f(t.l, len(scope)-maxReportCompounds))
	}
	if surveys > 0 {
		parts = append(parts, reportTop(t.l, p, p.SurveyResults(sum)))
	}
	replies := splitMessages(parts)
	var row []Button
	if t.e.report != nil {
		row = append(row, Button{Label: mBtnSpreadsheet.s(t.l), Data: "rp:x"})
	}
	if t.e.charts != nil {
		row = append(row, Button{Label: mBtnCharts.s(t.l), Data: "rp:c"})
	}
	if len(row) > 0 {
		replies[len(replies)-1].Buttons = [][]Button{row}
	}
	return Response{Replies: replies}, nil
}

// reportLine: "粮贸小区 ❌\n户 55 · 绑定 20 · 投票 40 · 同意 30\n同意户数/总户数 30/55 ≥ 2/3 还需 7".
func reportLine(l lang, c renovote.Compound, tally renovote.Tally) string {
	o := compoundRule(c).Evaluate(tally)
	icon := "❌"
	if o.Pass {
		icon = "✅"
	}
	lines := []string{fmt.Sprintf("%s %s", icon, orID(c.Name, c.ID)),
		mBReportCounts.f(l, tally.Households, tally.Bound, tally.Voted, tally.Agree, tally.Disagree)}
	for _, r := range o.Results {
		mark, op := "✓", "≥"
		if !r.Pass {
			mark = "✗"
		}
		if r.Test.Strict {
			op = ">"
		}
		num, den := fmt.Sprint(r.Num), fmt.Sprint(r.Den)
		if r.Test.Num.IsArea() {
			num, den = renovote.Area(r.Num).String(), renovote.Area(r.Den).String()
		}
		s := fmt.Sprintf("%s %s/%s %s/%s %s %s", mark, quantityLabel(l, r.Test.Num), quantityLabel(l, r.Test.Den), num, den, op, r.Test.Fraction)
		if !r.Pass {
			s += mBReportSep.s(l) + neededText(l, r)
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "\n")
}

// reportTop lists the survey's most urgent must-do items.
func reportTop(l lang, p renovote.Programme, r renovote.SurveyResults) string {
	names := itemNames(l, p)
	lines := []string{mBReportTop.f(l, r.Respondents, r.Households, r.ResponseRate.String())}
	n := 0
	for _, it := range r.Urgent {
		if it.Households == 0 || n == reportTopItems {
			continue
		}
		n++
		lines = append(lines, mBReportTopLine.f(l, n, orID(names[it.Item.ID], it.Item.Name), it.Score, it.Households, it.OfRespondents.String()))
	}
	if n == 0 {
		lines = append(lines, mResultsNoneYet.s(l))
	}
	return strings.Join(lines, "\n")
}

// reportPress handles "rp:x": the spreadsheet of the sender's scope, checked
// again now (a role or scope may have changed since the message).
func (t *turn) reportPress() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	if t.e.report == nil {
		return t.expired(), nil
	}
	if len(inScope(p, m)) == 0 {
		return alert(mBReportNone.s(t.l)), nil
	}
	name, data, err := t.e.report(t.ctx, m.Covers, true)
	if err != nil {
		return t.fail("report", err)
	}
	return Response{Replies: []Reply{{Text: mBReportCaption.f(t.l, p.Name, fmtTime(t.l, location(p), t.now)),
		Document: &Document{Name: name, Data: data}}}, CallbackText: mBReportSending.s(t.l)}, nil
}

// chartsPress handles "rp:c": the charts of the sender's scope as photos,
// one message each, the scope checked again now. The charts carry no names
// or phones.
func (t *turn) chartsPress() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	if t.e.charts == nil {
		return t.expired(), nil
	}
	if len(inScope(p, m)) == 0 {
		return alert(mBReportNone.s(t.l)), nil
	}
	docs, err := t.e.charts(t.ctx, m.Covers, chartLang(t.l))
	if err != nil {
		return t.fail("charts", err)
	}
	if len(docs) == 0 {
		return alert(mChartsNone.s(t.l)), nil
	}
	at := fmtTime(t.l, location(p), t.now)
	replies := make([]Reply, len(docs))
	for i := range docs {
		replies[i] = Reply{Text: mChartsCaption.f(t.l, p.Name, i+1, len(docs), at), Photo: &docs[i]}
	}
	return Response{Replies: replies, CallbackText: mChartsSending.s(t.l)}, nil
}

// counterReader is an optional interface of the store: the tallies and
// survey counters of many compounds in one pipelined read
// (store.Store.Counters), so that /report costs a few round trips for a
// programme of thousands of compounds.
type counterReader interface {
	Counters(ctx context.Context, compoundIDs []string) ([]renovote.Tally, []renovote.SurveyCounts, error)
}

// counters reads the tallies and survey counters of the compounds, in
// order: in one call when the store can, else one compound at a time (the
// survey counters only of compounds that run a survey).
func (t *turn) counters(cs []renovote.Compound) ([]renovote.Tally, []renovote.SurveyCounts, error) {
	if cr, ok := t.e.store.(counterReader); ok {
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		return cr.Counters(t.ctx, ids)
	}
	tallies := make([]renovote.Tally, len(cs))
	counts := make([]renovote.SurveyCounts, len(cs))
	for i, c := range cs {
		tl, err := t.e.store.Tally(t.ctx, c.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("tally %s: %w", c.ID, err)
		}
		tallies[i] = tl
		if hasSurvey(c) {
			if counts[i], err = t.e.store.SurveyCounts(t.ctx, c.ID); err != nil {
				return nil, nil, fmt.Errorf("survey counts %s: %w", c.ID, err)
			}
		}
	}
	return tallies, counts, nil
}
