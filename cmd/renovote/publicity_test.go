package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestPublicityReport: `renovote report -publicity` writes the public notice
// of one compound (to standard output, -html, -pdf), with the seed's
// publicity window and no personal data.
func TestPublicityReport(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	hhs := seedHouseholds(t, "liangmao")
	for _, h := range hhs[:4] {
		s.ok("paper", "liangmao", h.ID, "agree", "-by", "王芳")
	}
	setNow(t, time.Date(2020, 5, 21, 9, 0, 0, 0, shanghai)) // the ballot closed, the notice is up

	html := s.ok("report", "-publicity", "粮贸小区")
	wantContains(t, "notice", html, "<!DOCTYPE html>", "粮贸小区", "@media print",
		"<td class=\"n\">55</td><td class=\"n\">4</td><td class=\"n\">4</td>", "还需 33 户同意",
		"表决结果：本小区未达到上述规则的要求。", "公示期：2020年5月21日 08:00 至 2020年5月27日 24:00（共 7 天）", "/objection",
		"生成时间：2020年5月21日 09:00")
	for _, h := range hhs {
		for _, s := range []string{h.Owner, h.Phone, h.Label()} {
			if s != "" && strings.Contains(html, s) {
				t.Fatalf("the notice shows personal data: %q", s)
			}
		}
	}
	if strings.Contains(html, "王芳") {
		t.Fatal("the notice names who entered paper ballots")
	}
	if byID := s.ok("report", "-publicity", "liangmao"); byID != html {
		t.Error("the notice by id differs from the notice by name")
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "公示.html")
	if out := s.ok("report", "-publicity", "liangmao", "-html", file); out != "" {
		t.Errorf("stdout with -html: %q", out)
	}
	if data, err := os.ReadFile(file); err != nil || string(data) != html {
		t.Fatalf("-html wrote %d bytes (%v), want the notice", len(data), err)
	}

	for _, bad := range [][]string{
		{"report", "-publicity", "nowhere"},
		{"report", "-html", file},
		{"report", "-pdf", filepath.Join(dir, "x.pdf")},
	} {
		if err := s.fails(bad...); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

// -pdf without a Chromium on PATH fails with a clear error and writes nothing.
func TestPublicityPDFWithoutChromium(t *testing.T) {
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	old := lookPath
	lookPath = func(string) (string, error) { return "", exec.ErrNotFound }
	t.Cleanup(func() { lookPath = old })
	pdf := filepath.Join(t.TempDir(), "公示.pdf")
	err := s.fails("report", "-publicity", "liangmao", "-pdf", pdf)
	if !errors.Is(err, errNoChromium) || !strings.Contains(err.Error(), "install chromium") {
		t.Fatalf("err = %v, want errNoChromium saying what to do", err)
	}
	if _, err := os.Stat(pdf); !os.IsNotExist(err) {
		t.Errorf("a PDF was written: %v", err)
	}
}

// -pdf with the Chromium of the machine, when there is one: an A4 PDF.
func TestPublicityPDF(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	found := false
	for _, n := range chromiumNames {
		if _, err := exec.LookPath(n); err == nil {
			found = true
		}
	}
	if !found {
		t.Skip("no chromium on PATH")
	}
	setNow(t, inWindow)
	s := newStaff(t)
	s.seed()
	pdf := filepath.Join(t.TempDir(), "公示.pdf")
	s.ok("report", "-publicity", "liangmao", "-pdf", pdf)
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	// A4 is 595×842 points (Chromium writes 594.96×841.92); the notice is one page.
	a4 := regexp.MustCompile(`/MediaBox\s*\[\s*0 0 59[45](\.\d+)? 84[12](\.\d+)?\s*\]`)
	if !bytes.HasPrefix(data, []byte("%PDF-")) || !a4.Match(data) || !regexp.MustCompile(`/Type\s*/Pages\b[^>]*/Count 1\b|/Count 1\b[^>]*/Type\s*/Pages\b`).Match(data) {
		t.Fatalf("not a one-page A4 PDF (%d bytes)", len(data))
	}
}
