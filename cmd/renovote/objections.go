package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/renovote/renovote"
)

// objections lists the objections (异议) filed in the publicity windows, compound
// by compound (only -compound's; only those not answered with -open): id,
// household, status, when filed and answered, by whom, the text and the note.
// The filer's Telegram id is left out, as on the dashboard.
func (c *cli) objections(ctx context.Context) error {
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("objections: %w", err)
	}
	loc, err := p.Location()
	if err != nil {
		loc = time.UTC
	}
	type row struct {
		Compound   string                   `json:"compound"`
		ID         string                   `json:"id"`
		Household  string                   `json:"household"`
		Status     renovote.ObjectionStatus `json:"status"`
		Created    time.Time                `json:"created"`
		Text       string                   `json:"text"`
		AnsweredBy string                   `json:"answered_by,omitempty"`
		Answered   time.Time                `json:"answered,omitzero"`
		Note       string                   `json:"note,omitempty"`
	}
	rows := []row{}
	found := false
	for _, cp := range p.Compounds {
		if c.compound != "" && c.compound != cp.ID && c.compound != cp.Name {
			continue
		}
		found = true
		list := c.st.Objections
		if c.openOnly {
			list = c.st.OpenObjections
		}
		os, err := list(ctx, cp.ID)
		if err != nil {
			return fmt.Errorf("objections %s: %w", cp.ID, err)
		}
		for _, o := range os {
			rows = append(rows, row{cp.ID, o.ID, o.Household.HouseholdID, o.Status, o.Created, o.Text, o.AnsweredBy, o.Answered, o.Note})
		}
	}
	if !found {
		return fmt.Errorf("objections: no compound %q: %w", c.compound, renovote.ErrNotFound)
	}
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"programme": p.ID, "objections": rows})
	}
	if len(rows) == 0 {
		fmt.Fprintln(c.out, "没有异议 No objections")
		return nil
	}
	const layout = "2006-01-02 15:04"
	tw := tabwriter.NewWriter(c.out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "COMPOUND\tID\tHOUSEHOLD\tSTATUS\tFILED (%s)\tANSWERED\tBY\tTEXT\tNOTE\n", loc)
	for _, r := range rows {
		answered := "-"
		if !r.Answered.IsZero() {
			answered = r.Answered.In(loc).Format(layout)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%q\t%q\n", r.Compound, r.ID, r.Household, r.Status,
			r.Created.In(loc).Format(layout), answered, dash(r.AnsweredBy), r.Text, r.Note)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
