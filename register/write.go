package register

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/renovote/renovote"
)

// InviteRow is one line of the invitation sheet: a household's address and the
// deep link that binds a resident to it.
type InviteRow struct {
	Compound string // the compound's name
	Building string
	Unit     string
	Room     string
	Link     string
}

// InviteHeader is the header of the invitation sheet.
var InviteHeader = []string{"小区", "楼栋", "单元", "房号", "链接"}

// RegisterHeader is the header WriteCSV writes.
var RegisterHeader = []string{"小区", "楼栋", "单元", "房号", "户主", "电话", "面积"}

// WriteInvitesCSV writes the invitation sheet: a UTF-8 byte order mark (so that
// Excel shows the Chinese), the header 小区,楼栋,单元,房号,链接 and one row per
// invitation.
func WriteInvitesCSV(w io.Writer, rows []InviteRow) error {
	cw, err := newCSV(w, InviteHeader)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(defuseAll(r.Compound, r.Building, r.Unit, r.Room, r.Link)); err != nil {
			return fmt.Errorf("write invitations: %w", err)
		}
	}
	return flush(cw, "write invitations")
}

// WriteCSV writes households as a register file that Read reads back: a UTF-8
// byte order mark, the header 小区,楼栋,单元,房号,户主,电话,面积 and one row per
// household, the compound by its name in p. Removed households are left out.
func WriteCSV(w io.Writer, p renovote.Programme, hhs []renovote.Household) error {
	cw, err := newCSV(w, RegisterHeader)
	if err != nil {
		return err
	}
	for _, h := range hhs {
		if h.Removed {
			continue
		}
		name := h.CompoundID
		if c, ok := p.Compound(h.CompoundID); ok && c.Name != "" {
			name = c.Name
		}
		if err := cw.Write(defuseAll(name, h.Building, h.Unit, h.Room, h.Owner, h.Phone, h.Area.String())); err != nil {
			return fmt.Errorf("write register: %w", err)
		}
	}
	return flush(cw, "write register")
}

func newCSV(w io.Writer, header []string) (*csv.Writer, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return nil, fmt.Errorf("write csv: %w", err)
	}
	return cw, nil
}

func flush(cw *csv.Writer, op string) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

// defuse keeps a spreadsheet from running a cell as a formula: a cell that
// begins with = + - or @ gets a leading apostrophe. So does a cell that
// looks defused already (apostrophes, then = + - or @), which undefuse would
// otherwise shorten.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) || looksDefused(s) {
		return "'" + s
	}
	return s
}

// undefuse removes the apostrophe defuse added.
func undefuse(s string) string {
	if looksDefused(s) {
		return s[1:]
	}
	return s
}

// looksDefused reports whether s begins with apostrophes, then = + - or @.
func looksDefused(s string) bool {
	rest := strings.TrimLeft(s, "'")
	return len(rest) < len(s) && rest != "" && strings.ContainsRune("=+-@", rune(rest[0]))
}

func defuseAll(cells ...string) []string {
	for i, c := range cells {
		cells[i] = defuse(c)
	}
	return cells
}
