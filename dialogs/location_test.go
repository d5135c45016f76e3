package dialogs

import (
	"testing"

	"github.com/renovote/renovote"
)

// location loads each zone once and keeps zones apart; an unknown zone is
// China Standard Time.
func TestLocationCached(t *testing.T) {
	sh := location(renovote.Programme{TimeZone: "Asia/Shanghai"})
	if sh.String() != "Asia/Shanghai" || location(renovote.Programme{TimeZone: "Asia/Shanghai"}) != sh {
		t.Errorf("Asia/Shanghai: %v, not the same location twice", sh)
	}
	if l := location(renovote.Programme{TimeZone: "Asia/Urumqi"}); l.String() != "Asia/Urumqi" {
		t.Errorf("Asia/Urumqi: %v", l)
	}
	if l := location(renovote.Programme{}); l.String() != "Asia/Shanghai" {
		t.Errorf("no zone: %v, want the default Asia/Shanghai", l)
	}
	if l := location(renovote.Programme{TimeZone: "Nowhere/Atlantis"}); l != chinaTime {
		t.Errorf("unknown zone: %v, want China Standard Time", l)
	}
}
