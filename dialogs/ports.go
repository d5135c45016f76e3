package dialogs

import (
	"context"
	"time"

	"github.com/renovote/renovote"
)

// The interfaces below are what the conversations need from storage. They speak
// in domain terms (bind a member, cast a vote, tally a compound), so any store
// (Redis today, an embedded one later) can serve them. store.Store implements all.

// Directory reads the programme and its register.
type Directory interface {
	Programme(ctx context.Context) (renovote.Programme, error)
	Household(ctx context.Context, ref renovote.HouseholdRef) (renovote.Household, error)
	Households(ctx context.Context, compoundID string) ([]renovote.Household, error)
}

// Invitations resolve codes and bind Telegram users to households.
type Invitations interface {
	// ResolveInvite returns the household of a code: renovote.ErrNotFound for an
	// unknown code, renovote.ErrRevoked for a revoked one.
	ResolveInvite(ctx context.Context, code string) (renovote.HouseholdRef, error)
	// Bind makes userID a member of ref. Binding again to the same household is a
	// no-op; renovote.ErrAlreadyBound if bound elsewhere, renovote.ErrHouseholdFull
	// if the household has maxMembers members already.
	Bind(ctx context.Context, userID int64, ref renovote.HouseholdRef, maxMembers int, now time.Time) error
	// Binding returns the household userID is bound to, if any.
	Binding(ctx context.Context, userID int64) (renovote.HouseholdRef, bool, error)
	// Members lists the user ids bound to the household.
	Members(ctx context.Context, ref renovote.HouseholdRef) ([]int64, error)
	// AddInviteFailure notes a failed code attempt by userID at time at.
	AddInviteFailure(ctx context.Context, userID int64, at time.Time) error
	// InviteFailures counts userID's failed attempts since the given time and
	// returns the oldest of them.
	InviteFailures(ctx context.Context, userID int64, since time.Time) (n int, oldest time.Time, err error)
}

// Ballots cast votes and read tallies.
type Ballots interface {
	// CastVote sets a household's vote atomically with its counters and audit
	// entry; it is idempotent by cmd.OpID. It checks the compound's ballot window
	// at cmd.At: renovote.ErrBallotNotOpen, renovote.ErrBallotClosed.
	CastVote(ctx context.Context, cmd renovote.VoteCmd) (renovote.Receipt, error)
	// CurrentVote returns the household's current vote, if any.
	CurrentVote(ctx context.Context, ref renovote.HouseholdRef) (renovote.HouseholdVote, bool, error)
	// Tally returns the compound's counters.
	Tally(ctx context.Context, compoundID string) (renovote.Tally, error)
}

// Sessions keep the state of each chat's conversation as opaque bytes.
type Sessions interface {
	// GetSession returns nil, nil when there is none.
	GetSession(ctx context.Context, key string) ([]byte, error)
	PutSession(ctx context.Context, key string, data []byte, ttl time.Duration) error
}

// Staff knows who the community workers are. Admins come from configuration.
type Staff interface {
	IsWorker(ctx context.Context, userID int64) (bool, error)
	AddWorker(ctx context.Context, userID int64, by string, now time.Time) error
}

// Store is everything the conversations use.
type Store interface {
	Directory
	Invitations
	Ballots
	Sessions
	Staff
}
