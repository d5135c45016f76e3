package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/programme"
	"github.com/renovote/renovote/register"
	"github.com/renovote/renovote/store"
)

// cli holds what every command shares.
type cli struct {
	cfg    config
	log    *slog.Logger
	out    io.Writer
	errOut io.Writer
	st     Store
	now    func() time.Time

	// command flags
	removeMissing bool
	outFile       string
	compound      string
	asJSON        bool
	by            string
	channel       string
	evidence      string
	xlsxFile      string
	csvDir        string
	chartsDir     string
	personal      bool
	detail        bool
	openOnly      bool   // objections: only those not answered
	publicity     string // report: the compound of the public notice (公示)
	htmlFile      string
	pdfFile       string
	sb            sandboxFlags // sandbox, faketelegram
	mig           migrateFlags // migrate
	load          loadFlags    // load
}

func (c *cli) declareFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.removeMissing, "remove-missing", false, "register import: mark households missing from the file as removed")
	fs.StringVar(&c.outFile, "out", "", "invite export: write here instead of standard output")
	fs.StringVar(&c.compound, "compound", "", "invite export, survey results, report, objections: only this compound (id or name)")
	fs.BoolVar(&c.asJSON, "json", false, "tally, survey results, report, objections, load: print JSON")
	fs.BoolVar(&c.openOnly, "open", false, "objections: only those not answered yet")
	fs.StringVar(&c.by, "by", "", "paper: who entered the ballot (worker name or id)")
	fs.StringVar(&c.channel, "channel", "paper", "paper: paper or proxy")
	fs.StringVar(&c.evidence, "evidence", "", "paper: reference of the evidence photo")
	fs.StringVar(&c.xlsxFile, "xlsx", "", "report: write the workbook (汇总, 楼栋, 调查结果, 住户明细) here")
	fs.StringVar(&c.csvDir, "csv", "", "report: write one CSV file per table into this directory")
	fs.StringVar(&c.chartsDir, "charts", "", "report: write the charts (consent.png, survey.png, response.png) into this directory")
	fs.BoolVar(&c.personal, "personal", false, "report: include owner names and phones")
	fs.StringVar(&c.publicity, "publicity", "", "report: the public notice (公示) of this compound (id or name), HTML to standard output or -html/-pdf")
	fs.StringVar(&c.htmlFile, "html", "", "report -publicity: write the notice as HTML here")
	fs.StringVar(&c.pdfFile, "pdf", "", "report -publicity: write the notice as PDF here (needs chromium)")
	fs.BoolVar(&c.detail, "detail", false, "report: list buildings and households however many (by default left out over 50,000 households)")
	c.sb.declare(fs)
	c.mig.declare(fs)
	c.load.declare(fs)
}

// withStore opens the store of a staff command: Redis with REDIS_URL, else
// the data directory's SQLite store (which the bot, when it runs, holds: stop
// it first, or use the chat commands). It refuses -memory, whose data would
// vanish when the command exits.
func (c *cli) withStore(ctx context.Context, f func(*cli) error) error {
	if c.cfg.Memory {
		return errMemoryStaff
	}
	st, _, closeStore, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	c.st = st
	if c.now == nil {
		c.now = time.Now
	}
	return f(c)
}

func (c *cli) programmeApply(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("programme apply: give one programme file")
	}
	p, err := programme.LoadIn(args[0], c.cfg.TZ.String())
	if err != nil {
		return err
	}
	if err := c.st.ApplyProgramme(ctx, p); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "programme %s (%s) applied: %d compounds, %d phases\n", p.ID, p.Name, len(p.Compounds), len(p.Phases))
	return nil
}

func (c *cli) registerImport(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("register import: give one register file (.csv or .xlsx)")
	}
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("register import: apply a programme first: %w", err)
	}
	return importRegister(ctx, c.st, p, args[0], c.removeMissing, "cli", c.now(), c.out)
}

// importRegister reads a register file whole, and only when every row is valid
// writes it, compound by compound.
func importRegister(ctx context.Context, st Store, p renovote.Programme, path string, removeMissing bool, actor string, now time.Time, out io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("register import: %w", err)
	}
	defer f.Close()
	hhs, err := register.Read(filepath.Base(path), f, p)
	if err != nil {
		return fmt.Errorf("register import %s: nothing written: %w", path, err)
	}
	byCompound := map[string][]renovote.Household{}
	for _, h := range hhs {
		byCompound[h.CompoundID] = append(byCompound[h.CompoundID], h)
	}
	for _, cp := range p.Compounds {
		list, ok := byCompound[cp.ID]
		if !ok {
			continue
		}
		diff, err := st.ImportRegister(ctx, cp.ID, list, store.ImportOptions{RemoveMissing: removeMissing, Actor: actor, Now: now})
		if err != nil {
			return fmt.Errorf("register import %s: %w", cp.ID, err)
		}
		fmt.Fprintf(out, "%s %s: %d added, %d updated, %d unchanged", cp.ID, cp.Name, len(diff.Added), len(diff.Updated), len(diff.Unchanged))
		if len(diff.Removed) > 0 {
			fmt.Fprintf(out, ", %d removed: %s", len(diff.Removed), strings.Join(diff.Removed, " "))
		}
		if len(diff.Missing) > 0 {
			fmt.Fprintf(out, "\n  %d household(s) on record but not in this file (kept; -remove-missing removes them): %s", len(diff.Missing), strings.Join(diff.Missing, " "))
		}
		fmt.Fprintln(out)
	}
	return nil
}

func (c *cli) inviteExport(ctx context.Context, args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("invite export: unexpected %q", args)
	}
	if c.cfg.BotUsername == "" {
		return fmt.Errorf("invite export: BOT_USERNAME (-bot-username) is needed to build the links")
	}
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("invite export: %w", err)
	}
	w := c.out
	var f *os.File
	if c.outFile != "" {
		if f, err = os.Create(c.outFile); err != nil {
			return fmt.Errorf("invite export: %w", err)
		}
		w = f
	}
	n, err := exportInvites(ctx, c.st, p, c.compound, c.cfg.BotUsername, c.now(), w)
	if f != nil { // a failed close may mean a cut-off sheet
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("invite export: %w", cerr)
		}
	}
	if err != nil {
		return err
	}
	if c.outFile != "" {
		fmt.Fprintf(c.out, "%d invitation(s) written to %s\n", n, c.outFile)
	}
	return nil
}

// exportInvites issues codes for households without one and writes every live
// invitation as CSV rows for printing.
func exportInvites(ctx context.Context, st Store, p renovote.Programme, only, botUsername string, now time.Time, w io.Writer) (int, error) {
	var rows []register.InviteRow
	for _, cp := range p.Compounds {
		if only != "" && only != cp.ID && only != cp.Name {
			continue
		}
		invites, err := st.EnsureInvites(ctx, cp.ID, now)
		if err != nil {
			return 0, fmt.Errorf("invite export %s: %w", cp.ID, err)
		}
		code := map[string]string{}
		for _, inv := range invites {
			code[inv.Ref.HouseholdID] = inv.Code
		}
		hhs, err := st.Households(ctx, cp.ID)
		if err != nil {
			return 0, fmt.Errorf("invite export %s: %w", cp.ID, err)
		}
		for _, h := range hhs {
			if h.Removed || code[h.ID] == "" {
				continue
			}
			rows = append(rows, register.InviteRow{Compound: cp.Name, Building: h.Building, Unit: h.Unit, Room: h.Room,
				Link: renovote.InviteLink(botUsername, code[h.ID])})
		}
	}
	if only != "" && len(rows) == 0 {
		return 0, fmt.Errorf("invite export: no households for compound %q", only)
	}
	return len(rows), register.WriteInvitesCSV(w, rows)
}

func (c *cli) inviteChange(ctx context.Context, action string, args []string) error {
	ref, err := c.householdArg(ctx, args)
	if err != nil {
		return fmt.Errorf("invite %s: %w", action, err)
	}
	if action == "revoke" {
		if err := c.st.RevokeInvite(ctx, ref); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "invitation of %s revoked\n", ref)
		return nil
	}
	inv, err := c.st.IssueInvite(ctx, ref, c.now())
	if err != nil {
		return err
	}
	link := inv.Code
	if c.cfg.BotUsername != "" {
		link = renovote.InviteLink(c.cfg.BotUsername, inv.Code)
	}
	fmt.Fprintf(c.out, "new invitation of %s (the old one no longer works): %s\n", ref, link)
	return nil
}

// householdArg reads "COMPOUND HOUSEHOLD" and checks the household exists.
func (c *cli) householdArg(ctx context.Context, args []string) (renovote.HouseholdRef, error) {
	if len(args) < 2 {
		return renovote.HouseholdRef{}, fmt.Errorf("give COMPOUND and HOUSEHOLD (building-unit-room): %w", renovote.ErrInvalid)
	}
	p, err := c.st.Programme(ctx)
	if err != nil {
		return renovote.HouseholdRef{}, err
	}
	cp, ok := p.CompoundByName(args[0])
	if !ok {
		return renovote.HouseholdRef{}, fmt.Errorf("compound %q: %w", args[0], renovote.ErrNotFound)
	}
	parts := strings.Split(args[1], "-")
	if len(parts) != 3 {
		return renovote.HouseholdRef{}, fmt.Errorf("household %q: want building-unit-room: %w", args[1], renovote.ErrInvalid)
	}
	ref := renovote.HouseholdRef{CompoundID: cp.ID, HouseholdID: renovote.HouseholdID(parts[0], parts[1], parts[2])}
	if _, err := c.st.Household(ctx, ref); err != nil {
		if errors.Is(err, renovote.ErrNotFound) {
			return ref, fmt.Errorf("household %s is not on the register of %s (%s): %w", ref.HouseholdID, cp.Name, cp.ID, renovote.ErrNotFound)
		}
		return ref, err
	}
	return ref, nil
}

func (c *cli) tally(ctx context.Context) error {
	p, err := c.st.Programme(ctx)
	if err != nil {
		return fmt.Errorf("tally: %w", err)
	}
	type row struct {
		ID      string           `json:"id"`
		Name    string           `json:"name"`
		Tally   renovote.Tally   `json:"tally"`
		Outcome renovote.Outcome `json:"outcome"`
	}
	var rows []row
	for _, cp := range p.Compounds {
		t, err := c.st.Tally(ctx, cp.ID)
		if err != nil {
			return fmt.Errorf("tally %s: %w", cp.ID, err)
		}
		rows = append(rows, row{cp.ID, cp.Name, t, cp.Rule.Evaluate(t)})
	}
	if c.asJSON {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"programme": p.ID, "compounds": rows})
	}
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(c.out)
		}
		fmt.Fprintln(c.out, dialogs.TallyText("zh", p, p.Compounds[i], r.Tally, true))
	}
	return nil
}

func (c *cli) paper(ctx context.Context, args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("paper: give COMPOUND HOUSEHOLD agree|disagree")
	}
	choice, err := renovote.ParseChoice(args[2])
	if err != nil {
		return fmt.Errorf("paper: %w", err)
	}
	ch, err := renovote.ParseChannel(c.channel)
	if err != nil || ch == renovote.ChannelChat {
		return fmt.Errorf("paper: -channel must be paper or proxy: %w", renovote.ErrInvalid)
	}
	if strings.TrimSpace(c.by) == "" {
		return fmt.Errorf("paper: -by is required (who entered the ballot): %w", renovote.ErrInvalid)
	}
	ref, err := c.householdArg(ctx, args[:2])
	if err != nil {
		return fmt.Errorf("paper: %w", err)
	}
	rid := renovote.NewReceiptID()
	rc, err := c.st.CastVote(ctx, renovote.VoteCmd{Ref: ref, Choice: choice, Channel: ch, Actor: "cli:" + c.by,
		OpID: "cli:" + rid, ReceiptID: rid, At: c.now(), Evidence: c.evidence})
	if err != nil {
		return fmt.Errorf("paper: %w", err)
	}
	if rc.Pending { // the confirmed mode: too few replicas acknowledged it in time
		fmt.Fprintf(c.out, "received, PENDING confirmation on the replicas (check it with renovote report, or enter it again): ")
	} else {
		fmt.Fprint(c.out, "recorded ")
	}
	fmt.Fprintf(c.out, "%s for %s by %s (%s), previous %q, receipt %s\n", rc.Choice, ref, c.by, rc.Channel, rc.Previous, rc.ID)
	return nil
}

func (c *cli) worker(ctx context.Context, action string, args []string) error {
	if action == "list" {
		ids, err := c.st.Workers(ctx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			fmt.Fprintln(c.out, id)
		}
		return nil
	}
	if len(args) != 1 {
		return fmt.Errorf("worker %s: give one Telegram user id", action)
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("worker %s: %q is not a Telegram user id: %w", action, args[0], renovote.ErrInvalid)
	}
	if action == "add" {
		err = c.st.AddWorker(ctx, id, "cli", c.now())
	} else {
		err = c.st.RemoveWorker(ctx, id, "cli", c.now())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "worker %d %sed\n", id, strings.TrimSuffix(action, "e"))
	return nil
}
