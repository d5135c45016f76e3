package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/renovote/renovote/report"
)

// The public notice (公示): `renovote report -publicity COMPOUND [-html FILE]
// [-pdf FILE]`, and the notice /publicity sends in chat.

// publicityDoc is /publicity's notice (dialogs.Config.Publicity): the HTML
// page of one compound's ballot at now.
func publicityDoc(st Store) func(ctx context.Context, compoundID string, now time.Time) (string, []byte, error) {
	return func(ctx context.Context, compoundID string, now time.Time) (string, []byte, error) {
		p, err := st.Programme(ctx)
		if err != nil {
			return "", nil, fmt.Errorf("publicity: %w", err)
		}
		pub, err := report.BuildPublicity(ctx, st, p, compoundID, now)
		if err != nil {
			return "", nil, err
		}
		var b bytes.Buffer
		if err := report.PublicityHTML(&b, pub); err != nil {
			return "", nil, err
		}
		return pub.FileName(), b.Bytes(), nil
	}
}

// publicityCmd writes the notice of c.publicity (a compound's id or name):
// -html FILE as HTML, -pdf FILE as PDF through a headless Chromium; with
// neither, the HTML to standard output. It holds no personal data.
func (c *cli) publicityCmd(ctx context.Context) error {
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("report -publicity: %w", err)
	}
	pub, err := report.BuildPublicity(ctx, c.st, p, c.publicity, c.now())
	if err != nil {
		return fmt.Errorf("report -publicity: %w", err)
	}
	var b bytes.Buffer
	if err := report.PublicityHTML(&b, pub); err != nil {
		return err
	}
	if c.htmlFile == "" && c.pdfFile == "" {
		_, err := c.out.Write(b.Bytes())
		return err
	}
	if c.htmlFile != "" {
		if err := os.WriteFile(c.htmlFile, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("report -publicity: %w", err)
		}
		fmt.Fprintf(c.errOut, "report: wrote %s\n", c.htmlFile)
	}
	if c.pdfFile != "" {
		if err := htmlToPDF(ctx, b.Bytes(), c.pdfFile); err != nil {
			return err
		}
		fmt.Fprintf(c.errOut, "report: wrote %s\n", c.pdfFile)
	}
	return nil
}

// chromiumNames are the browsers -pdf looks for on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"}

// lookPath finds a program; tests replace it.
var lookPath = exec.LookPath

// errNoChromium says -pdf needs a browser that is not installed.
var errNoChromium = errors.New("no headless Chromium found")

// pdfTimeout bounds one run of the browser.
const pdfTimeout = 90 * time.Second

// htmlToPDF prints the page to an A4 PDF with a headless Chromium (the page's
// own @page rule sets the size and margins), without header or footer. It
// runs the browser with a profile of its own in a temporary directory.
func htmlToPDF(ctx context.Context, html []byte, out string) error {
	bin := ""
	for _, name := range chromiumNames {
		if p, err := lookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		return fmt.Errorf("report -pdf: %w (looked for %s on PATH): install chromium, or write -html and print it from a browser",
			errNoChromium, strings.Join(chromiumNames, ", "))
	}
	dir, err := os.MkdirTemp("", "renovote-publicity-")
	if err != nil {
		return fmt.Errorf("report -pdf: %w", err)
	}
	defer os.RemoveAll(dir)
	page := filepath.Join(dir, "notice.html")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return fmt.Errorf("report -pdf: %w", err)
	}
	target, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("report -pdf: %w", err)
	}
	args := []string{"--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf-no-header", // newer and older spellings
		"--print-to-pdf=" + target, "file://" + filepath.ToSlash(page)}
	if os.Geteuid() == 0 { // Chromium refuses to run as root with its sandbox; the page is ours, without scripts
		args = append([]string{"--no-sandbox"}, args...)
	}
	cctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, bin, args...)
	output, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("report -pdf: %s: %w: %s", filepath.Base(bin), err, lastLine(output))
	}
	head := make([]byte, 5)
	f, err := os.Open(target)
	if err == nil {
		_, err = f.Read(head)
		f.Close()
	}
	if err != nil || string(head) != "%PDF-" {
		return fmt.Errorf("report -pdf: %s wrote no PDF to %s: %s", filepath.Base(bin), out, lastLine(output))
	}
	return nil
}

// lastLine is the last non-empty line of a program's output, for errors.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
