package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/report"
)

// chatDetailHint and cliDetailHint tell the reader of a workbook without the
// household list how to get it (report.Options.DetailHint).
const (
	chatDetailHint = "获取住户明细：社区工作人员在聊天中发送 /report，可得所负责小区含住户明细的表格；" +
		"或在命令行运行 renovote report -compound <小区> -xlsx <文件>。"
	cliDetailHint = "获取住户明细：运行 renovote report -compound <小区> -xlsx <文件>（一个小区），" +
		"或加 -detail 列出全部住户（住户很多时很慢）。"
)

// reportXLSX is the /report spreadsheet of the chat (dialogs.Config.Report):
// the tables of the compounds of the sender's scope, as a workbook named after
// the programme and the day. A scope of more than
// report.DefaultMaxDetailHouseholds households (the bureau's, in a large
// programme) gets the summary: 楼栋 and 住户明细 are left out, and the
// workbook's 说明 sheet says how to get them.
func reportXLSX(st Store, now func() time.Time) func(ctx context.Context, scope func(string) bool, personal bool) (string, []byte, error) {
	return func(ctx context.Context, scope func(string) bool, personal bool) (string, []byte, error) {
		p, err := st.Programme(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("report: %w", err)
		}
		t, err := report.BuildWith(ctx, st, p, report.Options{Scope: scope, Detail: report.All,
			MaxDetailHouseholds: report.DefaultMaxDetailHouseholds, Personal: personal, DetailHint: chatDetailHint})
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

// reportCmd writes the bureau's tables (every compound, or the one of
// -compound): -xlsx FILE as a workbook, -csv DIR as one CSV per table, -json to
// standard output; with none of them, a short summary, built from the
// counters alone; -charts DIR the charts as PNG images (chart package). Over
// report.DefaultMaxDetailHouseholds households the
// buildings and the household list are left out (and the workbook says so)
// unless -detail. Owner names and phones only with -personal.
func (c *cli) reportCmd(ctx context.Context) error {
	if c.publicity != "" {
		return c.publicityCmd(ctx)
	}
	if c.htmlFile != "" || c.pdfFile != "" {
		return fmt.Errorf("report: -html and -pdf go with -publicity COMPOUND")
	}
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	opts := report.Options{Detail: report.All, MaxDetailHouseholds: report.DefaultMaxDetailHouseholds,
		Personal: c.personal, DetailHint: cliDetailHint}
	if c.detail {
		opts.MaxDetailHouseholds = 0
	}
	if c.compound != "" {
		cp, ok := p.CompoundByName(c.compound)
		if !ok {
			return fmt.Errorf("report: no compound %q: %w", c.compound, renovote.ErrNotFound)
		}
		opts.Scope = func(id string) bool { return id == cp.ID }
	}
	if c.xlsxFile == "" && c.csvDir == "" && c.chartsDir == "" && !c.asJSON {
		opts.Detail = nil // the text lists compounds only
	}
	t, err := report.BuildWith(ctx, c.st, p, opts)
	if err != nil {
		return err
	}
	if lo := t.LeftOut; lo != nil && opts.Detail != nil {
		fmt.Fprintf(c.errOut, "report: buildings and households left out: %d households, over %d; -compound ID for one compound, -detail for all\n",
			lo.Households, lo.Limit)
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
	if c.chartsDir != "" {
		if err := c.writeCharts(t, c.chartsDir); err != nil {
			return err
		}
	}
	if c.asJSON {
		return report.JSON(c.out, t)
	}
	if c.xlsxFile != "" || c.csvDir != "" || c.chartsDir != "" {
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
