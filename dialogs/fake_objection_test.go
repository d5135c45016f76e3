package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/renovote/renovote"
)

// fakeObjections are the fake store's objections: numbered O1, O2, ... per
// compound, filed only in the compound's publicity window (checked at
// o.Created over [opens, closes)), answered once (else ErrConflict), filing
// and answers idempotent by opID.
type fakeObjections struct {
	byCompound map[string][]renovote.Objection // in filing order
	filed      map[string][2]string            // opID → compound, id
	answered   map[string][2]string
}

// objs returns the fake's objections, made on first use; f.mu is held.
func (f *fakeStore) objs() *fakeObjections {
	if f.objections == nil {
		f.objections = &fakeObjections{byCompound: map[string][]renovote.Objection{},
			filed: map[string][2]string{}, answered: map[string][2]string{}}
	}
	return f.objections
}

func (f *fakeStore) FileObjection(ctx context.Context, o renovote.Objection, opID string) (renovote.Objection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fo := f.objs()
	if k, ok := fo.filed[opID]; ok {
		return f.findObjection(k[0], k[1])
	}
	o.ID, o.Status, o.AnsweredBy, o.Answered, o.Note = "", renovote.ObjectionOpen, "", time.Time{}, ""
	if err := o.Validate(); err != nil {
		return renovote.Objection{}, err
	}
	if opID == "" {
		return renovote.Objection{}, fmt.Errorf("op id: %w", renovote.ErrInvalid)
	}
	c, ok := f.prog.Compound(o.CompoundID)
	if !ok {
		return renovote.Objection{}, fmt.Errorf("compound: %w", renovote.ErrNotFound)
	}
	h, ok := f.households[o.Household]
	if !ok {
		return renovote.Objection{}, fmt.Errorf("household: %w", renovote.ErrNotFound)
	}
	if h.Removed {
		return renovote.Objection{}, renovote.ErrRemoved
	}
	if !c.HasPublicity() {
		return renovote.Objection{}, fmt.Errorf("no publicity window: %w", renovote.ErrObjectionNotOpen)
	}
	switch c.Publicity.State(o.Created) {
	case renovote.NotOpen:
		return renovote.Objection{}, renovote.ErrObjectionNotOpen
	case renovote.Closed:
		return renovote.Objection{}, renovote.ErrObjectionClosed
	}
	o.ID = "O" + strconv.Itoa(len(fo.byCompound[o.CompoundID])+1)
	fo.byCompound[o.CompoundID] = append(fo.byCompound[o.CompoundID], o)
	fo.filed[opID] = [2]string{o.CompoundID, o.ID}
	return o, nil
}

// findObjection is Objection with the lock held.
func (f *fakeStore) findObjection(compoundID, id string) (renovote.Objection, error) {
	for _, o := range f.objs().byCompound[compoundID] {
		if o.ID == id {
			return o, nil
		}
	}
	return renovote.Objection{}, fmt.Errorf("objection %s: %w", id, renovote.ErrNotFound)
}

func (f *fakeStore) Objection(ctx context.Context, compoundID, id string) (renovote.Objection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.findObjection(compoundID, id)
}

func (f *fakeStore) Objections(ctx context.Context, compoundID string) ([]renovote.Objection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.prog.Compound(compoundID); !ok {
		return nil, fmt.Errorf("compound: %w", renovote.ErrNotFound)
	}
	return sortedObjections(f.objs().byCompound[compoundID]), nil
}

func (f *fakeStore) OpenObjections(ctx context.Context, compoundID string) ([]renovote.Objection, error) {
	all, err := f.Objections(ctx, compoundID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(o renovote.Objection) bool { return o.Status != renovote.ObjectionOpen }), nil
}

func (f *fakeStore) AnswerObjection(ctx context.Context, compoundID, id, actor, note string, at time.Time, opID string) (renovote.Objection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fo := f.objs()
	if k, ok := fo.answered[opID]; ok {
		return f.findObjection(k[0], k[1])
	}
	list := fo.byCompound[compoundID]
	i := slices.IndexFunc(list, func(o renovote.Objection) bool { return o.ID == id })
	if i < 0 {
		return renovote.Objection{}, fmt.Errorf("objection %s: %w", id, renovote.ErrNotFound)
	}
	next, err := list[i].Answer(actor, note, at)
	if err != nil {
		return list[i], err
	}
	list[i] = next
	fo.answered[opID] = [2]string{compoundID, id}
	return next, nil
}

func sortedObjections(in []renovote.Objection) []renovote.Objection {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b renovote.Objection) int { return a.Created.Compare(b.Created) })
	if out == nil {
		out = []renovote.Objection{}
	}
	return out
}
