package renovote

import "time"

// UpdateStatus is where a Telegram update stands in its handling, as recorded
// in the store so that every bot process (webhook replica) sees the same.
type UpdateStatus string

const (
	// UpdateClaimed: the caller now holds the update and must handle it, then
	// mark it done, or release it when the handling failed.
	UpdateClaimed UpdateStatus = "claimed"
	// UpdateDone: the update was handled before; it must not be handled again.
	UpdateDone UpdateStatus = "done"
	// UpdateBusy: another process holds the update and is handling it.
	UpdateBusy UpdateStatus = "busy"
)

// UpdateClaim is the answer to a claim on an update id.
type UpdateClaim struct {
	Status UpdateStatus
	// Attempt counts the claims that handled the update, this one included
	// (1 the first time), when Status is UpdateClaimed: the releases of failed
	// attempts are remembered, so that an update that always fails can be
	// given up.
	Attempt int
	// Wait is how long the holder's claim still lasts when Status is
	// UpdateBusy (after that, the update can be claimed again).
	Wait time.Duration
}
