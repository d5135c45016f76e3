package renovote

// HandedUpdate is a Telegram update that the elected poller of several bot
// processes (replicas) took from getUpdates and handed to all of them through
// the store, for exactly one replica to handle.
type HandedUpdate struct {
	// Entry names the update in the store's hand-off (set by the store).
	Entry string
	// ID is the update_id.
	ID int64
	// Chat is the chat whose order the update keeps.
	Chat int64
	// Prev is the update of the same chat handed over just before this one
	// (0 when none recently): it is handled first.
	Prev int64
	// Body is the update's JSON as Telegram sent it.
	Body []byte
	// Deliveries counts how many times the store gave the update to a
	// replica, this time included (1 the first time; more after a replica
	// that took it died).
	Deliveries int64
}
