package dialogs

import (
	"context"
	"time"

	"github.com/renovote/renovote"
)

// HouseholdViewer is implemented by a Store that reads the programme, a
// household and the household's members in one round trip (store.Store
// does). A vote press needs the three, and every round trip to the store is
// time the resident waits; from other stores they are read one by one.
type HouseholdViewer interface {
	// HouseholdView returns what Programme, Household and Members would.
	HouseholdView(ctx context.Context, ref renovote.HouseholdRef) (renovote.Programme, renovote.Household, []int64, error)
}

// householdView is household, with the household's members (before the
// vote that follows) when the store reads them in the same round trip; nil
// members mean they were not read (a bound voter is always one of them).
func (t *turn) householdView(ref renovote.HouseholdRef) (renovote.Programme, renovote.Compound, renovote.Household, []int64, error) {
	hv, ok := t.e.store.(HouseholdViewer)
	if !ok {
		p, c, h, err := t.household(ref)
		return p, c, h, nil, err
	}
	p, h, members, err := hv.HouseholdView(t.ctx, ref)
	if err != nil {
		return p, renovote.Compound{}, h, nil, err
	}
	return p, compoundOf(p, ref), h, members, nil
}

// notifyMembersOf is notifyMembers with the members already read (nil: read
// them now).
func (t *turn) notifyMembersOf(loc *time.Location, rc renovote.Receipt, members []int64) []Reply {
	if members == nil {
		return t.notifyMembers(loc, rc)
	}
	if rc.Choice == rc.Previous {
		return nil
	}
	return t.memberReplies(loc, rc, members)
}
