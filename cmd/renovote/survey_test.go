package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/renovote/renovote"
)

// TestSurveyResults: answers submitted for liangmao show up in `survey results`,
// ranked by weighted urgency, with contribution by band and response rate, in
// text and JSON, per compound and programme-wide.
func TestSurveyResults(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	st := s.store()
	ctx := context.Background()
	p, err := st.Programme(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var required, upgrades []renovote.MenuItem
	part := p.Menu.Parts[0]
	req := map[string]bool{}
	for _, c := range p.Menu.Classes {
		req[c.ID] = c.Required
	}
	for _, it := range part.Items {
		if req[it.Class] {
			required = append(required, it)
		} else {
			upgrades = append(upgrades, it)
		}
	}
	hhs := seedHouseholds(t, "liangmao")
	// 10 households answer: all rank required[1] first, half rank required[0]
	// second; 4 want upgrades[0]; 3 would contribute in the first band.
	for i, h := range hhs[:10] {
		a := renovote.SurveyAnswer{Ref: h.Ref(), Urgent: map[string][]string{part.ID: {required[1].ID}},
			Actor: "test", At: inWindow}
		if i%2 == 0 {
			a.Urgent[part.ID] = append(a.Urgent[part.ID], required[0].ID)
		}
		if i < 4 {
			a.Upgrades = []string{upgrades[0].ID}
		}
		if i < 3 {
			a.Contribute, a.Band = true, p.Bands()[0].ID
		}
		if err := st.SubmitSurvey(ctx, a, fmt.Sprintf("test:%d", i)); err != nil {
			t.Fatal(err)
		}
	}

	var out struct {
		Programme string `json:"programme"`
		Compounds []struct {
			ID      string                 `json:"id"`
			Results renovote.SurveyResults `json:"results"`
		} `json:"compounds"`
		Total renovote.SurveyResults `json:"total"`
	}
	if err := json.Unmarshal([]byte(s.ok("survey", "results", "-json")), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Compounds) != 5 || out.Compounds[0].ID != "liangmao" {
		t.Fatalf("compounds: %+v", out.Compounds)
	}
	r := out.Compounds[0].Results
	if r.Respondents != 10 || r.Households != 55 || r.ResponseRate.Num != 10 || r.ResponseRate.Den != 55 {
		t.Fatalf("response: %+v", r)
	}
	if top := r.Urgent[0]; top.Item.ID != required[1].ID || top.Households != 10 || top.Score != 30 {
		t.Fatalf("top urgent item %+v, want %s chosen first by 10 (score 30)", top, required[1].ID)
	}
	if second := r.Urgent[1]; second.Item.ID != required[0].ID || second.Score != 10 || second.Households != 5 {
		t.Fatalf("second urgent item %+v", second)
	}
	if up := r.Upgrades[0]; up.Item.ID != upgrades[0].ID || up.Households != 4 || up.OfAll.Den != 55 {
		t.Fatalf("top upgrade %+v", up)
	}
	if r.Contribute.Num != 3 || r.Bands[0].Households != 3 {
		t.Fatalf("contribution %+v %+v", r.Contribute, r.Bands)
	}
	if out.Total.Households != 808 || out.Total.Respondents != 10 {
		t.Fatalf("programme-wide: %d of %d", out.Total.Respondents, out.Total.Households)
	}

	text := s.ok("survey", "results", "-compound", "粮贸小区")
	wantContains(t, "survey results text", text, "粮贸小区", required[1].Name, upgrades[0].Name, p.Bands()[0].Name)
	if err := s.fails("survey", "results", "-compound", "nowhere"); err == nil {
		t.Fatal("unknown compound accepted")
	}
}
