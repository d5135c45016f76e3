package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// TestReportCharts: `renovote report -charts DIR` after a few paper ballots
// writes the three charts as PNG images; the chat's Config.Charts draws them
// for a scope, leaving out the votes-by-day chart where no one voted.
func TestReportCharts(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	for i, h := range seedHouseholds(t, "liangmao")[:3] {
		choice := "agree"
		if i == 2 {
			choice = "disagree"
		}
		s.ok("paper", "liangmao", h.ID, choice, "-by", "王芳")
	}
	dir := filepath.Join(t.TempDir(), "charts")
	s.ok("report", "-charts", dir)
	for _, name := range []string{"consent.png", "survey.png", "response.png"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != 1080 || b.Dy() < 400 {
			t.Fatalf("%s: %v", name, b)
		}
	}

	draw := reportCharts(s.store())
	docs, err := draw(context.Background(), func(id string) bool { return id == "liangmao" }, "en")
	if err != nil || len(docs) != 3 || docs[0].Name != "consent.png" || docs[2].Name != "response.png" {
		t.Fatalf("liangmao: %d charts (%v)", len(docs), err)
	}
	for _, d := range docs {
		if !bytes.HasPrefix(d.Data, []byte("\x89PNG")) {
			t.Fatalf("%s is not a PNG", d.Name)
		}
	}
	docs, err = draw(context.Background(), func(id string) bool { return id == "jinrong" }, "zh")
	if err != nil || len(docs) != 2 || docs[1].Name != "survey.png" {
		t.Fatalf("jinrong, where no one voted: %d charts (%v)", len(docs), err)
	}
}
