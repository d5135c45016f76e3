package dialogs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// /survey_results and SurveyResultsText.

// maxResultRunes keeps each message of long listings under the channel's
// limit (4096), with room to spare.
const maxResultRunes = 3500

// SurveyResultsText shows survey results for staff: the response rate, the
// must-do items ranked by weighted urgency (first choice 3, second 2, third 1)
// with households and their share of respondents and of all households, the
// upgrades by households, the willingness to contribute by band, and how many
// comments and photos came in. name titles it (a compound's name, or the
// programme's for programme-wide results). Counts only: it never names a
// household. The CLI uses it too.
func SurveyResultsText(lang string, p renovote.Programme, r renovote.SurveyResults, name string) string {
	l := langOf(lang)
	names := itemNames(l, p)
	lines := []string{
		mResultsTitle.f(l, name),
		mResultsResponse.f(l, r.Respondents, r.Households, r.ResponseRate.String()),
	}
	if r.Respondents == 0 {
		return strings.Join(append(lines, mResultsNoAnswers.s(l)), "\n")
	}
	lines = append(lines, mResultsUrgent.s(l))
	n := 0
	for _, it := range r.Urgent {
		if it.Households == 0 {
			continue
		}
		n++
		var ranks []string
		for i, k := range it.Ranks {
			ranks = append(ranks, fmt.Sprintf("%s%d", rankMark(i), k))
		}
		lines = append(lines, mResultsUrgentLine.f(l, n, orID(names[it.Item.ID], it.Item.Name), it.Score, it.Households,
			it.OfRespondents.String(), it.OfAll.String())+" "+strings.Join(ranks, " "))
	}
	if n == 0 {
		lines = append(lines, mResultsNoneYet.s(l))
	}
	if len(r.Upgrades) > 0 {
		lines = append(lines, mResultsUpgrades.s(l))
		n = 0
		for _, it := range r.Upgrades {
			if it.Households == 0 {
				continue
			}
			n++
			lines = append(lines, mResultsUpgradeLine.f(l, n, orID(names[it.Item.ID], it.Item.Name), it.Households,
				it.OfRespondents.String(), it.OfAll.String()))
		}
		if n == 0 {
			lines = append(lines, mResultsNoneYet.s(l))
		}
	}
	lines = append(lines, mResultsContribute.f(l, r.Contribute.Num, r.Contribute.String()))
	for _, b := range r.Bands {
		lines = append(lines, mResultsBand.f(l, b.Band.Name, b.Households, b.OfRespondents.String()))
	}
	lines = append(lines, mResultsCounts.f(l, r.Comments, r.Photos))
	return strings.Join(lines, "\n")
}

// surveyResults answers /survey_results [compound] (staff): one compound, or
// every compound of the member's scope with a survey (the first
// maxTallyCompounds listed) and their sum (the whole programme for the bureau,
// admins and workers of every compound).
func (t *turn) surveyResults() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	head := mResultsAsOf.f(t.l, p.Name, fmtTime(t.l, location(p), t.now))
	if arg := strings.TrimSpace(t.in.Args); arg != "" {
		c, ok := p.CompoundByName(arg)
		if !ok {
			return t.say(mPaperUnknownCompound.s(t.l)), nil
		}
		if !m.Covers(c.ID) {
			return t.outOfScope(m, c.ID), nil
		}
		if !hasSurvey(c) {
			return t.say(mResultsNoSurvey.f(t.l, c.Name)), nil
		}
		counts, err := t.e.store.SurveyCounts(t.ctx, c.ID)
		if err != nil {
			return t.fail("survey counts", err)
		}
		return Response{Replies: splitMessages([]string{head, SurveyResultsText(t.in.Lang, p, p.SurveyResults(counts), c.Name)})}, nil
	}
	var with []renovote.Compound
	for _, c := range inScope(p, m) {
		if hasSurvey(c) {
			with = append(with, c)
		}
	}
	if len(with) == 0 {
		if !coversAll(p, m) {
			return t.say(mResultsNoSurveysScope.s(t.l)), nil
		}
		return t.say(mResultsNoSurveys.s(t.l)), nil
	}
	parts := []string{head}
	var sum renovote.SurveyCounts
	for i, c := range with {
		counts, err := t.e.store.SurveyCounts(t.ctx, c.ID)
		if err != nil {
			return t.fail("survey counts", err)
		}
		sum = sum.Add(counts)
		if i < maxTallyCompounds {
			parts = append(parts, SurveyResultsText(t.in.Lang, p, p.SurveyResults(counts), c.Name))
		}
	}
	if len(with) > maxTallyCompounds {
		parts = append(parts, mResultsMore.f(t.l, len(with), maxTallyCompounds))
	}
	name := mResultsAllName.f(t.l, p.Name, len(with))
	if !coversAll(p, m) {
		name = mResultsScopeName.f(t.l, len(with))
	}
	parts = append(parts, SurveyResultsText(t.in.Lang, p, p.SurveyResults(sum), name))
	return Response{Replies: splitMessages(parts)}, nil
}

// splitMessages joins parts with blank lines into messages of at most
// maxResultRunes characters; a part longer than that is split between lines
// (and a line longer than that, between characters).
func splitMessages(parts []string) []Reply {
	var out []Reply
	var cur strings.Builder
	n := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, Reply{Text: cur.String()})
			cur.Reset()
			n = 0
		}
	}
	add := func(s, sep string) {
		k := utf8.RuneCountInString(s)
		if cur.Len() > 0 && n+len(sep)+k > maxResultRunes {
			flush()
		}
		if cur.Len() > 0 {
			cur.WriteString(sep)
			n += len(sep)
		}
		cur.WriteString(s)
		n += k
	}
	for _, part := range parts {
		if utf8.RuneCountInString(part) <= maxResultRunes {
			add(part, "\n\n")
			continue
		}
		sep := "\n\n"
		for _, line := range strings.Split(part, "\n") {
			for utf8.RuneCountInString(line) > maxResultRunes {
				r := []rune(line)
				add(string(r[:maxResultRunes]), sep)
				line, sep = string(r[maxResultRunes:]), "\n"
			}
			add(line, sep)
			sep = "\n"
		}
	}
	flush()
	return out
}
