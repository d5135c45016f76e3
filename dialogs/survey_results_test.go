package dialogs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/renovote/renovote"
)

// submitAll stores survey answers directly in the store.
func submitAll(t testing.TB, st Store, answers []renovote.SurveyAnswer) {
	t.Helper()
	for i, a := range answers {
		if err := st.SubmitSurvey(context.Background(), a, fmt.Sprintf("test:survey:%d", i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSurveyResults(t *testing.T) { transcript(t, "survey_results", surveyResults) }

func surveyResults(w *world) {
	w.at(duringSurvey)
	ans := func(r renovote.HouseholdRef, building, public, upgrades []string, band, comment string, photos int) renovote.SurveyAnswer {
		a := renovote.SurveyAnswer{Ref: r, Urgent: map[string][]string{}, Upgrades: upgrades, Contribute: band != "",
			Band: band, Comment: comment, Actor: "cli:test", At: duringSurvey}
		if len(building) > 0 {
			a.Urgent["building"] = building
		}
		if len(public) > 0 {
			a.Urgent["public"] = public
		}
		for i := range photos {
			a.Photos = append(a.Photos, renovote.Photo{FileID: fmt.Sprintf("AgAD%s%d", r.HouseholdID, i)})
		}
		return a
	}
	submitAll(w.t, w.be, []renovote.SurveyAnswer{
		ans(ref301, []string{"roof_repair", "rain_sewage_pipes", "common_lighting"}, []string{"parking"}, []string{"ev_charging"}, "lt500", "", 2),
		ans(ref302, []string{"rain_sewage_pipes", "roof_repair"}, []string{"parking", "fire_safety_public"}, []string{"ev_charging", "security_doors"}, "", "楼道太暗", 0),
		ans(ref401, []string{"roof_repair"}, nil, nil, "500_2000", "", 1),
		// The latest answer counts: 3-2-302 changes its mind.
		ans(ref302, []string{"rain_sewage_pipes", "fire_safety_building"}, []string{"parking"}, []string{"ev_charging"}, "", "楼道太暗", 0),
	})
	w.checkCounts("liangmao")

	w.note("Staff see each compound with a survey, and the whole programme.")
	w.send(worker, "/survey_results")
	w.send(workerE, "/survey_results liangmao")
	w.send(admin, "/survey_results 金融小区")
	w.send(admin, "/survey_results 不存在")
	w.note("Residents may not.")
	w.bind(zhang, ref301)
	w.send(zhang, "/survey_results")
}

// SurveyResultsText as the CLI uses it, on counts of a bigger compound and of
// the whole programme.
func TestSurveyResultsText(t *testing.T) {
	p := testProgramme()
	liang := renovote.SurveyCounts{CompoundID: "liangmao", Households: 55, Respondents: 40,
		Urgent: map[string][renovote.MaxUrgent]int64{
			"roof_repair": {20, 8, 4}, "rain_sewage_pipes": {10, 15, 5}, "parking": {25, 5, 2},
			"fire_safety_public": {3, 3, 3}, "fire_safety_building": {1, 0, 0}, "elderly_friendly": {0, 0, 1},
		},
		Upgrades:   map[string]int64{"ev_charging": 22, "security_doors": 30, "parcel_lockers": 1},
		Contribute: 25, Bands: map[string]int64{"lt500": 15, "500_2000": 8, "gt2000": 2}, Comments: 12, Photos: 31}
	jin := renovote.SurveyCounts{CompoundID: "jinrong", Households: 170}
	var out strings.Builder
	for _, lang := range []string{"zh", "en"} {
		fmt.Fprintf(&out, "## lang=%s\n", lang)
		out.WriteString(SurveyResultsText(lang, p, p.SurveyResults(liang), "粮贸小区") + "\n\n")
		out.WriteString(SurveyResultsText(lang, p, p.SurveyResults(jin), "金融小区") + "\n\n")
		out.WriteString(SurveyResultsText(lang, p, p.SurveyResults(liang.Add(jin)), p.Name) + "\n\n")
	}
	checkGolden(t, "survey_results_text", out.String(), true)
}

// Long listings are split into messages under the limit, between lines.
func TestSplitMessages(t *testing.T) {
	line := strings.Repeat("字", 99)
	var big []string
	for range 80 {
		big = append(big, line)
	}
	parts := []string{"head", strings.Join(big, "\n"), "tail", strings.Repeat("x", 2*maxResultRunes+10)}
	replies := splitMessages(parts)
	var all []string
	for _, r := range replies {
		if n := utf8.RuneCountInString(r.Text); n > maxResultRunes || n == 0 {
			t.Errorf("message of %d characters", n)
		}
		all = append(all, r.Text)
	}
	joined := strings.Join(all, "")
	if strings.Count(joined, "字") != 80*99 || strings.Count(joined, "x") != 2*maxResultRunes+10 ||
		!strings.HasPrefix(joined, "head\n\n") || !strings.Contains(joined, "tail") {
		t.Error("text lost in splitting")
	}
	if got := splitMessages([]string{"a", "b"}); len(got) != 1 || got[0].Text != "a\n\nb" {
		t.Errorf("short parts: %+v", got)
	}
}
