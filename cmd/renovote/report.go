package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
	"github.com/renovote/renovote/store"
)

// reportXLSX is the /report spreadsheet of the chat (dialogs.Config.Report):
// the tables of the compounds of the sender's scope, as a workbook named after
// the programme and the day.
func reportXLSX(st *store.Store, now func() time.Time) func(ctx context.Context, scope func(string) bool, personal bool) (string, []byte, error) {
	return func(ctx context.Context, scope func(string) bool, personal bool) (string, []byte, error) {
		p, err := st.Programme(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("report: %w", err)
		}
		t, err := report.Build(ctx, st, p, scope, personal)
		if err != nil {
			return "", nil, err
		}
		data, err := report.XLSX(t)
		if err != nil {
			return "", nil, err
		}
		loc, err := p.Location()
		if err != nil {
			loc = time.UTC
		}
		return fmt.Sprintf("%s-report-%s.xlsx", p.ID, now().In(loc).Format("20060102-1504")), data, nil
	}
}

// reportCmd writes the bureau's tables (every compound): -xlsx FILE as a
// workbook, -csv DIR as one CSV per table, -json to standard output; with none
// of them, a short summary. Owner names and phones only with -personal.
func (c *cli) reportCmd(ctx context.Context) error {
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	t, err := report.Build(ctx, c.st, p, nil, c.personal)
	if err != nil {
		return err
	}
	if c.xlsxFile != "" {
		data, err := report.XLSX(t)
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.xlsxFile, data, 0o600); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(c.errOut, "report: wrote %s\n", c.xlsxFile)
	}
	if c.csvDir != "" {
		files, err := report.CSV(t)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(c.csvDir, 0o700); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		for _, f := range files {
			path := filepath.Join(c.csvDir, f.Name)
			if err := os.WriteFile(path, f.Data, 0o600); err != nil {
				return fmt.Errorf("report: %w", err)
			}
			fmt.Fprintf(c.errOut, "report: wrote %s\n", path)
		}
	}
	if c.asJSON {
		return report.JSON(c.out, t)
	}
	if c.xlsxFile != "" || c.csvDir != "" {
		return nil
	}
	for _, r := range t.Summary {
		verdict := "未通过"
		if r.Pass {
			verdict = "通过"
		}
		fmt.Fprintf(c.out, "%s\t总户数 %d\t绑定 %d\t已投票 %d\t同意 %d\t不同意 %d\t%s", r.Compound, r.Households, r.Bound, r.Voted, r.Agree, r.Disagree, verdict)
		for _, tc := range r.Tests {
			if !tc.Pass {
				need := fmt.Sprint(tc.Needed)
				if tc.Area {
					need = renovote.Area(tc.Needed).String() + " m²"
				}
				fmt.Fprintf(c.out, "\t%s 还需 %s", tc.Label, need)
			}
		}
		fmt.Fprintln(c.out)
	}
	return nil
}
