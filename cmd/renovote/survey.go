package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
)

// surveyResults prints the survey of every compound (or -compound) and, for
// the whole programme, their sum.
func (c *cli) surveyResults(ctx context.Context) error {
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("survey results: %w", err)
	}
	type row struct {
		ID      string                 `json:"id"`
		Name    string                 `json:"name"`
		Results renovote.SurveyResults `json:"results"`
	}
	var rows []row
	var total renovote.SurveyCounts
	for _, cp := range p.Compounds {
		if c.compound != "" && c.compound != cp.ID && c.compound != cp.Name {
			continue
		}
		counts, err := c.st.SurveyCounts(ctx, cp.ID)
		if err != nil {
			return fmt.Errorf("survey results %s: %w", cp.ID, err)
		}
		total = total.Add(counts)
		rows = append(rows, row{cp.ID, cp.Name, p.SurveyResults(counts)})
	}
	if len(rows) == 0 {
		return fmt.Errorf("survey results: no compound %q: %w", c.compound, renovote.ErrNotFound)
	}
	all := p.SurveyResults(total)
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"programme": p.ID, "compounds": rows, "total": all})
	}
	for _, r := range rows {
		fmt.Fprintln(c.out, dialogs.SurveyResultsText("zh", p, r.Results, r.Name))
		fmt.Fprintln(c.out)
	}
	if len(rows) > 1 {
		fmt.Fprintln(c.out, dialogs.SurveyResultsText("zh", p, all, p.Name))
	}
	return nil
}
