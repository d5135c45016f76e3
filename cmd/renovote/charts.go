package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/renovote/renovote/chart"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/report"
)

// reportCharts draws the /report charts of the chat (dialogs.Config.Charts):
// the tables of the compounds of the sender's scope, without names or
// phones, as the chart package's three PNG images. Over
// report.DefaultMaxDetailHouseholds households the household list, and with
// it the chart of votes by day, is left out.
func reportCharts(st Store) func(ctx context.Context, scope func(string) bool, lang string) ([]dialogs.Document, error) {
	return func(ctx context.Context, scope func(string) bool, lang string) ([]dialogs.Document, error) {
		p, err := st.Programme(ctx)
		if err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
		t, err := report.BuildWith(ctx, st, p, report.Options{Scope: scope, Detail: report.All,
			MaxDetailHouseholds: report.DefaultMaxDetailHouseholds})
		if err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
		return drawCharts(t, lang)
	}
}

// drawCharts draws the consent, survey and response charts of the tables,
// leaving out one that has nothing to draw (chart.ErrNoData). The survey
// chart is that of the report's total, or of its only compound.
func drawCharts(t report.Tables, lang string) ([]dialogs.Document, error) {
	kinds := []struct {
		name string
		draw func() ([]byte, error)
	}{
		{"consent.png", func() ([]byte, error) { return chart.Consent(t, lang) }},
		{"survey.png", func() ([]byte, error) { return chart.Survey(t, "", lang) }},
		{"response.png", func() ([]byte, error) { return chart.Response(t, lang) }},
	}
	var out []dialogs.Document
	for _, k := range kinds {
		data, err := k.draw()
		if errors.Is(err, chart.ErrNoData) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("charts: %w", err)
		}
		out = append(out, dialogs.Document{Name: k.name, Data: data})
	}
	return out, nil
}

// writeCharts writes the charts of the tables into dir (renovote report
// -charts DIR), in Chinese, and says which it wrote.
func (c *cli) writeCharts(t report.Tables, dir string) error {
	docs, err := drawCharts(t, "zh")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, d := range docs {
		path := filepath.Join(dir, d.Name)
		if err := os.WriteFile(path, d.Data, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		fmt.Fprintf(c.errOut, "report: wrote %s\n", path)
	}
	if len(docs) < 3 {
		fmt.Fprintf(c.errOut, "report: %d of 3 charts had something to draw\n", len(docs))
	}
	return nil
}
