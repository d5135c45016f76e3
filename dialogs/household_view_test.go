package dialogs

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/renovote/renovote"
)

// viewing is a store that reads the programme, a household and its members
// at once (HouseholdViewer), counting the reads.
type viewing struct {
	*fakeStore
	views, members, households atomic.Int32
}

func (v *viewing) HouseholdView(ctx context.Context, ref renovote.HouseholdRef) (renovote.Programme, renovote.Household, []int64, error) {
	v.views.Add(1)
	p, err := v.fakeStore.Programme(ctx)
	if err != nil {
		return p, renovote.Household{}, nil, err
	}
	h, err := v.fakeStore.Household(ctx, ref)
	if err != nil {
		return p, h, nil, err
	}
	m, err := v.fakeStore.Members(ctx, ref)
	return p, h, m, err
}

func (v *viewing) Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error) {
	v.members.Add(1)
	return v.fakeStore.Members(ctx, ref)
}

func (v *viewing) Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error) {
	v.households.Add(1)
	return v.fakeStore.Household(ctx, ref)
}

// A vote press on a store that is a HouseholdViewer reads the household and
// its members in that one call, and the other member is told as before.
func TestVotePressHouseholdView(t *testing.T) {
	ctx := context.Background()
	st := &viewing{fakeStore: newFakeStore(testProgramme(), testRegister())}
	for _, u := range []int64{zhang.id, zhangJr.id} {
		if err := st.Bind(ctx, u, ref301, 2, duringBallot); err != nil {
			t.Fatal(err)
		}
	}
	e := New(Config{Store: st})
	press := func(upd int64, choice string) Response {
		t.Helper()
		resp, err := e.Handle(ctx, Input{UpdateID: upd, UserID: zhang.id, ChatID: zhang.id, Lang: "zh-hans",
			Callback: "v:" + choice + ":" + voteToken(ref301), MessageID: 7}, duringBallot)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := press(1, "a")
	if len(resp.Replies) != 2 || resp.Replies[0].EditMessageID != 7 || resp.Replies[1].ChatID != zhangJr.id ||
		!strings.Contains(resp.Replies[1].Text, "同意改造") || resp.CallbackAlert {
		t.Fatalf("vote press: %+v", resp)
	}
	if v := st.votes[ref301]; v.Choice != renovote.ChoiceAgree {
		t.Fatalf("vote %+v", v)
	}
	if resp := press(2, "a"); len(resp.Replies) != 1 {
		t.Errorf("the same choice again: %d replies, want the receipt only (nobody else is told)", len(resp.Replies))
	}
	if v, m, h := st.views.Load(), st.members.Load(), st.households.Load(); v != 2 || m != 0 || h != 0 {
		t.Errorf("reads: %d views, %d Members, %d Household; want 2, 0, 0", v, m, h)
	}
}
