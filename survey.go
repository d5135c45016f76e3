package renovote

import (
	"fmt"
	"slices"
	"time"
)

// The survey (摸底调查): after consent, each household says which must-do items
// are most urgent for it, which upgrades it wants, whether it would contribute
// money (居民出资) and in which band, and anything else, with photos.

// MaxUrgent is how many items a household may rank as most urgent per part.
const MaxUrgent = 3

// MaxSurveyPhotos bounds the photos of one survey answer or problem report.
const MaxSurveyPhotos = 5

// MaxCommentRunes bounds free text (survey comment, problem description).
const MaxCommentRunes = 1000

// MaxCaptionRunes bounds a photo caption (Telegram's own limit is 1024).
const MaxCaptionRunes = 200

// UrgencyWeight is the score of an item ranked at position i (0-based) among a
// household's most urgent: the first choice counts 3, the second 2, the third 1.
func UrgencyWeight(i int) int64 { return int64(MaxUrgent - i) }

// ContributionBand is one answer to "would you contribute money, how much?".
type ContributionBand struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// DefaultContributionBands are used when a programme names none.
var DefaultContributionBands = []ContributionBand{
	{ID: "lt500", Name: "500元以下"},
	{ID: "500_2000", Name: "500–2000元"},
	{ID: "gt2000", Name: "2000元以上"},
}

// Photo is a picture sent in chat, kept by the channel's file id.
type Photo struct {
	FileID  string `json:"file_id"`
	Caption string `json:"caption,omitempty"`
}

// SurveyAnswer is one household's survey submission. The latest one counts.
type SurveyAnswer struct {
	Ref HouseholdRef `json:"household"`
	// Urgent holds, per menu part id, up to MaxUrgent item ids of that part's
	// required classes, most urgent first.
	Urgent map[string][]string `json:"urgent,omitempty"`
	// Upgrades are the wanted items of non-required classes, in menu order.
	Upgrades []string `json:"upgrades,omitempty"`
	// Contribute: willing to contribute money; Band is then a contribution band id.
	Contribute bool      `json:"contribute"`
	Band       string    `json:"band,omitempty"`
	Comment    string    `json:"comment,omitempty"`
	Photos     []Photo   `json:"photos,omitempty"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

// Validate checks an answer against the programme's menu and bands.
func (a SurveyAnswer) Validate(p Programme) error {
	v := &ValidationError{What: "survey answer"}
	if a.Ref.CompoundID == "" || a.Ref.HouseholdID == "" {
		v.Add("household", "missing")
	}
	required := p.Menu.RequiredClasses()
	partOf := map[string]string{}
	classOf := map[string]string{}
	parts := map[string]bool{}
	for _, part := range p.Menu.Parts {
		parts[part.ID] = true
		for _, it := range part.Items {
			partOf[it.ID] = part.ID
			classOf[it.ID] = it.Class
		}
	}
	for part, items := range a.Urgent {
		path := "urgent." + part
		if !parts[part] {
			v.Add(path, "unknown part")
			continue
		}
		if len(items) > MaxUrgent {
			v.Add(path, fmt.Sprintf("%d items, at most %d", len(items), MaxUrgent))
		}
		seen := map[string]bool{}
		for _, it := range items {
			switch {
			case partOf[it] != part:
				v.Add(path, fmt.Sprintf("%q is not an item of this part", it))
			case !required[classOf[it]]:
				v.Add(path, fmt.Sprintf("%q is not a must-do item", it))
			case seen[it]:
				v.Add(path, fmt.Sprintf("%q twice", it))
			}
			seen[it] = true
		}
	}
	seen := map[string]bool{}
	for _, it := range a.Upgrades {
		switch {
		case classOf[it] == "":
			v.Add("upgrades", fmt.Sprintf("unknown item %q", it))
		case required[classOf[it]]:
			v.Add("upgrades", fmt.Sprintf("%q is a must-do item, not an upgrade", it))
		case seen[it]:
			v.Add("upgrades", fmt.Sprintf("%q twice", it))
		}
		seen[it] = true
	}
	if a.Contribute {
		if !slices.ContainsFunc(p.Bands(), func(b ContributionBand) bool { return b.ID == a.Band }) {
			v.Add("band", fmt.Sprintf("unknown contribution band %q", a.Band))
		}
	} else if a.Band != "" {
		v.Add("band", "a band without willingness to contribute")
	}
	if n := len([]rune(a.Comment)); n > MaxCommentRunes {
		v.Add("comment", fmt.Sprintf("%d characters, at most %d", n, MaxCommentRunes))
	}
	validatePhotos(a.Photos, v)
	if a.Actor == "" {
		v.Add("actor", "missing")
	}
	if a.At.IsZero() {
		v.Add("at", "missing")
	}
	return v.Err()
}

// SurveyCounts are the counters of one compound's survey, kept by the store
// atomically with each submission (so results cost grows with compounds, not
// households). Keys are item and band ids.
type SurveyCounts struct {
	CompoundID  string `json:"compound"`
	Households  int64  `json:"households"` // on the register (from the tally)
	Respondents int64  `json:"respondents"`
	// Urgent[item][rank] counts households that ranked item at rank (0-based).
	Urgent     map[string][MaxUrgent]int64 `json:"urgent"`
	Upgrades   map[string]int64            `json:"upgrades"`
	Contribute int64                       `json:"contribute"`
	Bands      map[string]int64            `json:"bands"`
	Comments   int64                       `json:"comments"`
	Photos     int64                       `json:"photos"`
}

// CountSurvey computes counters from scratch from the households' current
// answers: the ground truth the stored counters must equal.
func CountSurvey(compoundID string, households int64, answers []SurveyAnswer) SurveyCounts {
	c := SurveyCounts{CompoundID: compoundID, Households: households,
		Urgent: map[string][MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{}}
	for _, a := range answers {
		if a.Ref.CompoundID != compoundID {
			continue
		}
		c.Respondents++
		for _, items := range a.Urgent {
			for i, it := range items {
				if i < MaxUrgent {
					r := c.Urgent[it]
					r[i]++
					c.Urgent[it] = r
				}
			}
		}
		for _, it := range a.Upgrades {
			c.Upgrades[it]++
		}
		if a.Contribute {
			c.Contribute++
			c.Bands[a.Band]++
		}
		if a.Comment != "" {
			c.Comments++
		}
		c.Photos += int64(len(a.Photos))
	}
	return c
}

// Add sums counters (for programme-wide results).
func (c SurveyCounts) Add(o SurveyCounts) SurveyCounts {
	out := SurveyCounts{CompoundID: "", Households: c.Households + o.Households, Respondents: c.Respondents + o.Respondents,
		Urgent: map[string][MaxUrgent]int64{}, Upgrades: map[string]int64{}, Bands: map[string]int64{},
		Contribute: c.Contribute + o.Contribute, Comments: c.Comments + o.Comments, Photos: c.Photos + o.Photos}
	for _, src := range []SurveyCounts{c, o} {
		for k, v := range src.Urgent {
			r := out.Urgent[k]
			for i := range r {
				r[i] += v[i]
			}
			out.Urgent[k] = r
		}
		for k, v := range src.Upgrades {
			out.Upgrades[k] += v
		}
		for k, v := range src.Bands {
			out.Bands[k] += v
		}
	}
	return out
}

// Share is an exact ratio Num/Den, shown as a percentage only at the edge.
type Share struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Permille is the share in tenths of a percent, rounded half up (0 for Den 0).
func (s Share) Permille() int64 {
	if s.Den <= 0 {
		return 0
	}
	return (s.Num*1000*2 + s.Den) / (2 * s.Den)
}

// String shows the share as a percentage with one decimal: "37.5%".
func (s Share) String() string {
	p := s.Permille()
	return fmt.Sprintf("%d.%d%%", p/10, p%10)
}

// ItemResult is one menu item in the survey results.
type ItemResult struct {
	Item          MenuItem `json:"item"`
	Part          string   `json:"part"`
	Required      bool     `json:"required"`
	Households    int64    `json:"households"` // choosing it (urgent at any rank, or wanted)
	OfRespondents Share    `json:"of_respondents"`
	OfAll         Share    `json:"of_all"`
	// Score is the weighted urgency: the sum of UrgencyWeight over the ranks
	// households gave it (required items only).
	Score int64            `json:"score,omitempty"`
	Ranks [MaxUrgent]int64 `json:"ranks,omitempty"`
}

// BandResult is one contribution band in the results.
type BandResult struct {
	Band          ContributionBand `json:"band"`
	Households    int64            `json:"households"`
	OfRespondents Share            `json:"of_respondents"`
}

// SurveyResults is what staff read: items ranked, contribution, response rate.
type SurveyResults struct {
	CompoundID   string `json:"compound,omitempty"` // empty: programme-wide
	Households   int64  `json:"households"`
	Respondents  int64  `json:"respondents"`
	ResponseRate Share  `json:"response_rate"`
	// Urgent lists required items by weighted urgency, highest first (ties by
	// households, then menu order); Upgrades lists the other items by households.
	Urgent     []ItemResult `json:"urgent"`
	Upgrades   []ItemResult `json:"upgrades"`
	Contribute Share        `json:"contribute"`
	Bands      []BandResult `json:"bands"`
	Comments   int64        `json:"comments"`
	Photos     int64        `json:"photos"`
}

// Results turns counters into results against the programme's menu.
func (p Programme) SurveyResults(c SurveyCounts) SurveyResults {
	r := SurveyResults{CompoundID: c.CompoundID, Households: c.Households, Respondents: c.Respondents,
		ResponseRate: Share{c.Respondents, c.Households}, Contribute: Share{c.Contribute, c.Respondents},
		Comments: c.Comments, Photos: c.Photos}
	required := p.Menu.RequiredClasses()
	order := map[string]int{}
	for _, part := range p.Menu.Parts {
		for _, it := range part.Items {
			order[it.ID] = len(order)
			ir := ItemResult{Item: it, Part: part.ID, Required: required[it.Class]}
			if ir.Required {
				ir.Ranks = c.Urgent[it.ID]
				for i, n := range ir.Ranks {
					ir.Households += n
					ir.Score += n * UrgencyWeight(i)
				}
			} else {
				ir.Households = c.Upgrades[it.ID]
			}
			ir.OfRespondents = Share{ir.Households, c.Respondents}
			ir.OfAll = Share{ir.Households, c.Households}
			if ir.Required {
				r.Urgent = append(r.Urgent, ir)
			} else {
				r.Upgrades = append(r.Upgrades, ir)
			}
		}
	}
	slices.SortStableFunc(r.Urgent, func(a, b ItemResult) int {
		switch {
		case a.Score != b.Score:
			return int(b.Score - a.Score)
		case a.Households != b.Households:
			return int(b.Households - a.Households)
		}
		return order[a.Item.ID] - order[b.Item.ID]
	})
	slices.SortStableFunc(r.Upgrades, func(a, b ItemResult) int {
		if a.Households != b.Households {
			return int(b.Households - a.Households)
		}
		return order[a.Item.ID] - order[b.Item.ID]
	})
	for _, b := range p.Bands() {
		r.Bands = append(r.Bands, BandResult{Band: b, Households: c.Bands[b.ID], OfRespondents: Share{c.Bands[b.ID], c.Respondents}})
	}
	return r
}

// Bands returns the programme's contribution bands (defaults when none).
func (p Programme) Bands() []ContributionBand {
	if len(p.ContributionBands) == 0 {
		return DefaultContributionBands
	}
	return p.ContributionBands
}

// validatePhotos checks the photos of a survey answer or a problem report: at
// most MaxSurveyPhotos, each with a file and a caption of at most
// MaxCaptionRunes characters.
func validatePhotos(photos []Photo, v *ValidationError) {
	if len(photos) > MaxSurveyPhotos {
		v.Add("photos", fmt.Sprintf("%d photos, at most %d", len(photos), MaxSurveyPhotos))
	}
	for i, ph := range photos {
		if ph.FileID == "" {
			v.Add(fmt.Sprintf("photos[%d]", i), "no file")
		}
		if n := len([]rune(ph.Caption)); n > MaxCaptionRunes {
			v.Add(fmt.Sprintf("photos[%d].caption", i), fmt.Sprintf("at most %d characters", MaxCaptionRunes))
		}
	}
}
