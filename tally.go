package renovote

// Tally is the state of one compound's consent ballot, as counters. Totals come
// from the register (households not Removed); vote counters from the households'
// current votes. An owner (see Household.OwnerKey) takes part when any of their
// units has voted, and agrees when every voted unit of theirs agrees.
type Tally struct {
	CompoundID string `json:"compound"`

	Households int64 `json:"households"` // on the register
	Area       Area  `json:"area"`       // total exclusive area
	Owners     int64 `json:"owners"`     // distinct owners

	Bound int64 `json:"bound"` // households with at least one bound member

	Voted    int64 `json:"voted"`
	Agree    int64 `json:"agree"`
	Disagree int64 `json:"disagree"`

	VotedArea Area `json:"voted_area"`
	AgreeArea Area `json:"agree_area"`

	VotedOwners int64 `json:"voted_owners"`
	AgreeOwners int64 `json:"agree_owners"`
}

// Quantity names one number of a Tally that a rule test compares.
type Quantity string

const (
	QHouseholds  Quantity = "households"
	QVoted       Quantity = "voted"
	QAgree       Quantity = "agree"
	QArea        Quantity = "area"
	QVotedArea   Quantity = "voted_area"
	QAgreeArea   Quantity = "agree_area"
	QOwners      Quantity = "owners"
	QVotedOwners Quantity = "voted_owners"
	QAgreeOwners Quantity = "agree_owners"
)

// Quantities lists every Quantity a rule may name.
var Quantities = []Quantity{QHouseholds, QVoted, QAgree, QArea, QVotedArea, QAgreeArea, QOwners, QVotedOwners, QAgreeOwners}

// Value returns the quantity q of the tally, and false for an unknown quantity.
func (t Tally) Value(q Quantity) (int64, bool) {
	switch q {
	case QHouseholds:
		return t.Households, true
	case QVoted:
		return t.Voted, true
	case QAgree:
		return t.Agree, true
	case QArea:
		return int64(t.Area), true
	case QVotedArea:
		return int64(t.VotedArea), true
	case QAgreeArea:
		return int64(t.AgreeArea), true
	case QOwners:
		return t.Owners, true
	case QVotedOwners:
		return t.VotedOwners, true
	case QAgreeOwners:
		return t.AgreeOwners, true
	}
	return 0, false
}

// IsArea reports whether q is measured in Area units.
func (q Quantity) IsArea() bool { return q == QArea || q == QVotedArea || q == QAgreeArea }

// isParticipation reports whether q counts voters (grows with every new vote).
func (q Quantity) isParticipation() bool { return q == QVoted || q == QVotedArea || q == QVotedOwners }

// Recount computes a tally from scratch: the register and each household's current
// choice (keyed by household id; absent means not voted) and whether it has a bound
// member. It is the ground truth the stored counters must equal.
func Recount(compoundID string, households []Household, votes map[string]Choice, bound map[string]bool) Tally {
	t := Tally{CompoundID: compoundID}
	type ownerState struct{ agree, disagree int }
	owners := map[string]*ownerState{}
	for _, h := range households {
		if h.Removed || h.CompoundID != compoundID {
			continue
		}
		t.Households++
		t.Area += h.Area
		k := h.OwnerKey()
		o := owners[k]
		if o == nil {
			o = &ownerState{}
			owners[k] = o
		}
		if bound[h.ID] {
			t.Bound++
		}
		switch votes[h.ID] {
		case ChoiceAgree:
			t.Voted++
			t.Agree++
			t.VotedArea += h.Area
			t.AgreeArea += h.Area
			o.agree++
		case ChoiceDisagree:
			t.Voted++
			t.Disagree++
			t.VotedArea += h.Area
			o.disagree++
		}
	}
	t.Owners = int64(len(owners))
	for _, o := range owners {
		if o.agree+o.disagree > 0 {
			t.VotedOwners++
		}
		if o.agree > 0 && o.disagree == 0 {
			t.AgreeOwners++
		}
	}
	return t
}
