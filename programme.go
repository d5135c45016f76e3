package renovote

import (
	"fmt"
	"regexp"
	"time"
)

// Programme is one county's yearly renovation programme: its compounds, their
// consent rules and ballot windows, the phases and the renovation menu. It is
// data, loaded from a programme file.
type Programme struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"` // IANA name; default Asia/Shanghai
	// MaxMembers is how many Telegram users may bind to one household (default 3).
	MaxMembers int        `json:"max_members"`
	Compounds  []Compound `json:"compounds"`
	Phases     []Phase    `json:"phases"`
	Menu       Menu       `json:"menu"`
	// ContributionBands are the answers to the survey's money question
	// (DefaultContributionBands when empty).
	ContributionBands []ContributionBand `json:"contribution_bands,omitempty"`
	// Reminders to households that have not answered (defaults: Reminders.Effective).
	Reminders Reminders `json:"reminders"`
	// DigestSpec is the cron spec of the daily staff digest (DefaultDigestSpec
	// when empty).
	DigestSpec string `json:"digest_spec,omitempty"`
}

// Compound is one residential compound (小区) of a programme.
type Compound struct {
	ID   string `json:"id"` // short ASCII id: [a-z0-9_]{1,32}
	Name string `json:"name"`
	// Plan is the compound's renovation plan in a line or two, shown with the ballot.
	Plan string `json:"plan"`
	// PlannedHouseholds is the household count of the plan, for checking the register.
	PlannedHouseholds int64  `json:"planned_households,omitempty"`
	Rule              Rule   `json:"rule"`
	Ballot            Window `json:"ballot"`
	// PublishTally lets residents see the counts (never who voted what).
	PublishTally bool `json:"publish_tally"`
	// Survey is the window of the survey (摸底调查); zero means no survey.
	Survey Window `json:"survey"`
	// Publicity is the public-notice window (公示期) of the tally, in which
	// residents may file objections (Objection); zero means none.
	Publicity Window `json:"publicity,omitzero"`
}

// HasPublicity reports whether the compound has a publicity window.
func (c Compound) HasPublicity() bool {
	return !c.Publicity.Opens.IsZero() && !c.Publicity.Closes.IsZero()
}

// Window is a half-open time interval [Opens, Closes).
type Window struct {
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
}

// WindowState says where a moment lies relative to a window.
type WindowState int

const (
	NotOpen WindowState = iota
	Open
	Closed
)

// State returns the window's state at now: open from Opens inclusive to Closes exclusive.
func (w Window) State(now time.Time) WindowState {
	switch {
	case now.Before(w.Opens):
		return NotOpen
	case now.Before(w.Closes):
		return Open
	}
	return Closed
}

// Phase is one step of the programme's calendar (实施步骤).
type Phase struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Starts      time.Time `json:"starts"`
	Ends        time.Time `json:"ends"`
	Description string    `json:"description,omitempty"`
	// Residents says what residents can do in the phase (in its announcement).
	Residents string `json:"residents,omitempty"`
}

// Menu is the renovation menu (菜单式改造内容): classes and items in parts.
type Menu struct {
	Classes []MenuClass `json:"classes"`
	Parts   []MenuPart  `json:"parts"`
}

// MenuClass is a class of items: 必改/提升, or the national 基础类/完善类/提升类.
type MenuClass struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Required marks must-do classes (shown as information in the survey).
	Required bool `json:"required,omitempty"`
}

// MenuPart groups items: residential buildings, public areas.
type MenuPart struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Goal  string     `json:"goal,omitempty"`
	Items []MenuItem `json:"items"`
}

// MenuItem is one thing that can be renovated.
type MenuItem struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Class string `json:"class"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// ValidID reports whether s is a valid compound, phase, class or item id.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Location loads the programme's time zone (Asia/Shanghai when empty).
func (p Programme) Location() (*time.Location, error) {
	tz := p.TimeZone
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", tz, ErrInvalid)
	}
	return loc, nil
}

// Compound returns the compound with the given id.
func (p Programme) Compound(id string) (Compound, bool) {
	for _, c := range p.Compounds {
		if c.ID == id {
			return c, true
		}
	}
	return Compound{}, false
}

// CompoundByName finds a compound by id or by its Chinese name.
func (p Programme) CompoundByName(s string) (Compound, bool) {
	for _, c := range p.Compounds {
		if c.ID == s || c.Name == s {
			return c, true
		}
	}
	return Compound{}, false
}

// Members returns the household member cap (default 3).
func (p Programme) Members() int {
	if p.MaxMembers <= 0 {
		return 3
	}
	return p.MaxMembers
}

// Validate reports every problem of the programme, each with its path.
func (p Programme) Validate() error {
	v := &ValidationError{What: "programme"}
	if !ValidID(p.ID) {
		v.Add("id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", p.ID))
	}
	if p.Name == "" {
		v.Add("name", "missing")
	}
	if _, err := p.Location(); err != nil {
		v.Add("time_zone", fmt.Sprintf("unknown time zone %q", p.TimeZone))
	}
	if p.MaxMembers < 0 || p.MaxMembers > 20 {
		v.Add("max_members", "must be between 1 and 20")
	}
	if len(p.Compounds) == 0 {
		v.Add("compounds", "a programme needs at least one compound")
	}
	seen := map[string]string{}
	names := map[string]string{}
	for i, c := range p.Compounds {
		path := fmt.Sprintf("compounds[%d]", i)
		if !ValidID(c.ID) {
			v.Add(path+".id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", c.ID))
		} else if prev, dup := seen[c.ID]; dup {
			v.Add(path+".id", fmt.Sprintf("%q is already used by %s", c.ID, prev))
		}
		seen[c.ID] = path
		if c.Name == "" {
			v.Add(path+".name", "missing")
		} else if prev, dup := names[c.Name]; dup {
			v.Add(path+".name", fmt.Sprintf("%q is already used by %s", c.Name, prev))
		}
		names[c.Name] = path
		if c.PlannedHouseholds < 0 {
			v.Add(path+".planned_households", "must not be negative")
		}
		c.Rule.Validate(path+".rule", v)
		if c.Ballot.Opens.IsZero() {
			v.Add(path+".ballot.opens", "missing")
		}
		if c.Ballot.Closes.IsZero() {
			v.Add(path+".ballot.closes", "missing")
		}
		if !c.Ballot.Opens.IsZero() && !c.Ballot.Closes.IsZero() && !c.Ballot.Closes.After(c.Ballot.Opens) {
			v.Add(path+".ballot", "closes must be after opens")
		}
	}
	for i, c := range p.Compounds {
		path := fmt.Sprintf("compounds[%d]", i)
		if w := c.Survey; !w.Opens.IsZero() || !w.Closes.IsZero() {
			if w.Opens.IsZero() || w.Closes.IsZero() {
				v.Add(path+".survey", "opens and closes are both required")
			} else if !w.Closes.After(w.Opens) {
				v.Add(path+".survey", "closes must be after opens")
			}
		}
		if w := c.Publicity; !w.Opens.IsZero() || !w.Closes.IsZero() {
			switch {
			case w.Opens.IsZero() || w.Closes.IsZero():
				v.Add(path+".publicity", "opens and closes are both required")
			case !w.Closes.After(w.Opens):
				v.Add(path+".publicity", "closes must be after opens")
			case !c.Ballot.Opens.IsZero() && w.Opens.Before(c.Ballot.Opens):
				v.Add(path+".publicity", "opens before the ballot opens: there is no tally to publish yet")
			}
		}
	}
	bands := map[string]bool{}
	for i, b := range p.ContributionBands {
		path := fmt.Sprintf("contribution_bands[%d]", i)
		if !ValidID(b.ID) {
			v.Add(path+".id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", b.ID))
		} else if bands[b.ID] {
			v.Add(path+".id", fmt.Sprintf("%q is used twice", b.ID))
		}
		bands[b.ID] = true
		if b.Name == "" {
			v.Add(path+".name", "missing")
		}
	}
	for i, ph := range p.Phases {
		path := fmt.Sprintf("phases[%d]", i)
		if !ValidID(ph.ID) {
			v.Add(path+".id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", ph.ID))
		}
		if ph.Name == "" {
			v.Add(path+".name", "missing")
		}
		if ph.Starts.IsZero() || ph.Ends.IsZero() {
			v.Add(path, "starts and ends are required")
		} else if ph.Ends.Before(ph.Starts) {
			v.Add(path, "ends before it starts")
		}
	}
	p.Menu.validate(v)
	return v.Err()
}

func (m Menu) validate(v *ValidationError) {
	classes := map[string]bool{}
	for i, c := range m.Classes {
		path := fmt.Sprintf("menu.classes[%d]", i)
		if !ValidID(c.ID) {
			v.Add(path+".id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", c.ID))
		} else if classes[c.ID] {
			v.Add(path+".id", fmt.Sprintf("%q is used twice", c.ID))
		}
		classes[c.ID] = true
		if c.Name == "" {
			v.Add(path+".name", "missing")
		}
	}
	items := map[string]bool{}
	for i, part := range m.Parts {
		path := fmt.Sprintf("menu.parts[%d]", i)
		if !ValidID(part.ID) {
			v.Add(path+".id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", part.ID))
		}
		if part.Name == "" {
			v.Add(path+".name", "missing")
		}
		for j, it := range part.Items {
			ip := fmt.Sprintf("%s.items[%d]", path, j)
			if !ValidID(it.ID) {
				v.Add(ip+".id", fmt.Sprintf("%q must be 1-32 of a-z 0-9 _", it.ID))
			} else if items[it.ID] {
				v.Add(ip+".id", fmt.Sprintf("%q is used twice", it.ID))
			}
			items[it.ID] = true
			if it.Name == "" {
				v.Add(ip+".name", "missing")
			}
			if !classes[it.Class] {
				v.Add(ip+".class", fmt.Sprintf("unknown class %q", it.Class))
			}
		}
	}
}

// RequiredClasses maps each class id to whether it is must-do (required).
func (m Menu) RequiredClasses() map[string]bool {
	req := make(map[string]bool, len(m.Classes))
	for _, c := range m.Classes {
		req[c.ID] = c.Required
	}
	return req
}

// Upgrades are the items of classes that are not required, of all parts, in
// menu order.
func (m Menu) Upgrades() []MenuItem {
	req := m.RequiredClasses()
	var out []MenuItem
	for _, part := range m.Parts {
		for _, it := range part.Items {
			if !req[it.Class] {
				out = append(out, it)
			}
		}
	}
	return out
}
