package dialogs

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/renovote/renovote"
)

// chinaTime is used when the time zone database is missing.
var chinaTime = time.FixedZone("CST", 8*3600)

// locations caches the time zones loaded, by name: time.LoadLocation reads
// the zone file at every call, and every vote shows times.
var locations sync.Map // string -> *time.Location

// location is the programme's time zone, China Standard Time if it cannot be loaded.
func location(p renovote.Programme) *time.Location {
	if loc, ok := locations.Load(p.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := p.Location()
	if err != nil {
		return chinaTime
	}
	locations.Store(p.TimeZone, loc)
	return loc
}

// fmtTime shows a moment in the programme's time zone: "5月20日 18:00" or "20 May 18:00".
func fmtTime(l lang, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	if l == zh {
		return fmt.Sprintf("%d月%d日 %02d:%02d", int(t.Month()), t.Day(), t.Hour(), t.Minute())
	}
	return t.Format("2 Jan 15:04")
}

// fmtEnd shows the end of a window: a close at midnight is shown as 24:00 of
// the day before ("5月20日 24:00"), which is how people read "until the 20th".
func fmtEnd(l lang, loc *time.Location, t time.Time) string {
	t = t.In(loc)
	if t.Hour() != 0 || t.Minute() != 0 || t.Second() != 0 || t.Nanosecond() != 0 {
		return fmtTime(l, loc, t)
	}
	d := t.AddDate(0, 0, -1)
	if l == zh {
		return fmt.Sprintf("%d月%d日 24:00", int(d.Month()), d.Day())
	}
	return d.Format("2 Jan") + " 24:00"
}

// addressToken is one part of a typed or registered address: digits or letters.
var addressToken = regexp.MustCompile(`[0-9A-Za-z]+`)

// addressParts splits an address into its alphanumeric parts, dropping words
// such as 栋, 号楼, 单元, 室 and separators: "3栋2单元301" → [3 2 301].
func addressParts(s string) []string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			return 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			return 'a' + (r - 'ａ')
		}
		return r
	}, s)
	return addressToken.FindAllString(s, -1)
}

// core is the alphanumeric core of one address field ("3栋" → "3"), or the
// field itself when it has none.
func core(s string) string {
	p := addressParts(s)
	if len(p) == 0 {
		return strings.TrimSpace(s)
	}
	return strings.Join(p, "")
}

// isPlain reports whether s is only letters and digits (no 栋/单元 of its own).
func isPlain(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && core(s) == s
}

// householdLabel is a household's address for people, without the compound:
// "3栋 2单元 301" or "Bldg 3, Unit 2, Room 301". No owner, no phone.
func householdLabel(l lang, h renovote.Household) string {
	if l == zh {
		b, u, r := strings.TrimSpace(h.Building), strings.TrimSpace(h.Unit), strings.TrimSpace(h.Room)
		if isPlain(b) {
			b += "栋"
		}
		s := b
		if u != "" {
			if isPlain(u) {
				u += "单元"
			}
			s += " " + u
		}
		return s + " " + r
	}
	s := "Bldg " + core(h.Building)
	if strings.TrimSpace(h.Unit) != "" {
		s += ", Unit " + core(h.Unit)
	}
	return s + ", Room " + core(h.Room)
}

// place is compound and household: "粮贸小区 3栋 2单元 301".
func place(l lang, c renovote.Compound, h renovote.Household) string {
	name := c.Name
	if name == "" {
		name = c.ID
	}
	if l == zh {
		return name + " " + householdLabel(l, h)
	}
	return name + ", " + householdLabel(l, h)
}

// matchAddress reports whether the typed parts name the household: building,
// unit and room, or building and room for a household without unit.
func matchAddress(parts []string, h renovote.Household) bool {
	b, u, r := core(h.Building), "", core(h.Room)
	if strings.TrimSpace(h.Unit) != "" {
		u = core(h.Unit)
	}
	switch len(parts) {
	case 3:
		return strings.EqualFold(parts[0], b) && strings.EqualFold(parts[1], u) && strings.EqualFold(parts[2], r)
	case 2:
		return u == "" && strings.EqualFold(parts[0], b) && strings.EqualFold(parts[1], r)
	}
	return false
}

func choiceLabel(l lang, c renovote.Choice) string {
	switch c {
	case renovote.ChoiceAgree:
		return mChoiceAgree.s(l)
	case renovote.ChoiceDisagree:
		return mChoiceDisagree.s(l)
	}
	return string(c)
}

func channelLabel(l lang, c renovote.Channel) string {
	switch c {
	case renovote.ChannelChat:
		return mChannelChat.s(l)
	case renovote.ChannelPaper:
		return mChannelPaper.s(l)
	case renovote.ChannelProxy:
		return mChannelProxy.s(l)
	}
	return string(c)
}

// currentVoteLine says what the household's current vote is.
func currentVoteLine(l lang, loc *time.Location, v renovote.HouseholdVote, has bool) string {
	if !has || v.Choice == renovote.ChoiceNone {
		return mNoVoteYet.s(l)
	}
	return mCurrentVote.f(l, choiceLabel(l, v.Choice), fmtTime(l, loc, v.At), channelLabel(l, v.Channel))
}

// windowLine shows the ballot window.
func windowLine(l lang, loc *time.Location, w renovote.Window) string {
	return mWindow.f(l, fmtTime(l, loc, w.Opens), fmtEnd(l, loc, w.Closes))
}

// windowStateLine says whether one can vote now.
func windowStateLine(l lang, loc *time.Location, w renovote.Window, now time.Time) string {
	switch w.State(now) {
	case renovote.NotOpen:
		return mNotOpenYet.f(l, fmtTime(l, loc, w.Opens))
	case renovote.Closed:
		return mClosed.f(l, fmtEnd(l, loc, w.Closes))
	}
	return mOpenChoose.f(l, fmtEnd(l, loc, w.Closes))
}
