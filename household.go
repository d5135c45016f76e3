package renovote

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// HouseholdRef names one household (户) of one compound.
type HouseholdRef struct {
	CompoundID  string `json:"compound"`
	HouseholdID string `json:"household"`
}

func (r HouseholdRef) String() string { return r.CompoundID + "/" + r.HouseholdID }

// Household is one unit on the register of a compound. Owner and Phone are personal
// data: show them to staff only and never log them.
type Household struct {
	CompoundID string `json:"compound"`
	ID         string `json:"id"` // HouseholdID(Building, Unit, Room)
	Building   string `json:"building"`
	Unit       string `json:"unit"`
	Room       string `json:"room"`
	Owner      string `json:"owner"`
	Phone      string `json:"phone"`
	Area       Area   `json:"area"`
	// Removed is set when a later register no longer lists the household and staff
	// chose to remove it; it no longer counts in totals, its history stays.
	Removed bool `json:"removed,omitempty"`
}

// Ref returns the household's reference.
func (h Household) Ref() HouseholdRef { return HouseholdRef{h.CompoundID, h.ID} }

// OwnerKey identifies the owner for the Civil Code's owner count: one owner of
// several units counts once. It is the phone number when given, else the name,
// hashed so the key itself carries no personal data.
func (h Household) OwnerKey() string {
	k := strings.TrimSpace(h.Phone)
	if k == "" {
		k = "name:" + strings.TrimSpace(h.Owner)
	}
	if k == "name:" {
		k = "unit:" + h.ID
	}
	sum := sha256.Sum256([]byte(h.CompoundID + "\x00" + k))
	return hex.EncodeToString(sum[:8])
}

// HouseholdID builds the canonical id of a unit from building (楼栋), unit (单元)
// and room (房号): the three parts trimmed, full-width digits made ASCII, the
// usual suffixes dropped (栋 幢 号楼 楼 / 单元 / 室 号), joined by "-". So "1栋",
// "1" and "１号楼" name the same building, and "3-2-301" is what a worker types.
// A missing unit is allowed (single-unit buildings).
func HouseholdID(building, unit, room string) string {
	return idPart(building, "号楼", "栋", "幢", "楼", "座") + "-" + idPart(unit, "单元") + "-" + idPart(room, "室", "号")
}

// idPart normalises one part. Suffixes are dropped until none is left
// ("101号室" → "101", "1号楼栋" → "1"), so that a part normalised again stays
// the same; a part that is only a suffix ("栋") is kept.
func idPart(s string, suffixes ...string) string {
	s = strings.TrimSpace(normalizeDigits(s))
	for again := true; again; {
		again = false
		for _, suf := range suffixes {
			if t := strings.TrimSpace(strings.TrimSuffix(s, suf)); t != s && t != "" {
				s, again = t, true
				break
			}
		}
	}
	return s
}

// Label is the household's address for people: "3栋 2单元 301".
func (h Household) Label() string {
	s := h.Building
	if h.Unit != "" {
		s += " " + h.Unit
	}
	return s + " " + h.Room
}
