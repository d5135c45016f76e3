package main

import (
	"context"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/dialogs"
)

// HouseholdView keeps, behind the metrics wrapper, the store's read of a
// vote press's programme, household and members in one round trip
// (dialogs.HouseholdViewer); a store without it is read a call at a time.
func (v votesCounted) HouseholdView(ctx context.Context, ref renovote.HouseholdRef) (renovote.Programme, renovote.Household, []int64, error) {
	if hv, ok := v.Store.(dialogs.HouseholdViewer); ok {
		return hv.HouseholdView(ctx, ref)
	}
	p, err := v.Store.Programme(ctx)
	if err != nil {
		return p, renovote.Household{}, nil, err
	}
	h, err := v.Store.Household(ctx, ref)
	if err != nil {
		return p, h, nil, err
	}
	members, err := v.Store.Members(ctx, ref)
	return p, h, members, err
}
