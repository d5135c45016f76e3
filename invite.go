package renovote

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// InviteCodeLen is the length of an invitation code: 22 characters of the
// deep-link alphabet (A-Z a-z 0-9 _ -) carry 132 random bits.
const InviteCodeLen = 22

// NewInviteCode returns a fresh random invitation code.
func NewInviteCode() string {
	var b [16]byte // 128 bits
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// ValidInviteCode reports whether s has the form of an invitation code (it may
// still be unknown or revoked).
func ValidInviteCode(s string) bool {
	if len(s) != InviteCodeLen {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// InviteLink is the deep link that opens the bot with the code.
func InviteLink(botUsername, code string) string {
	return "https://t.me/" + botUsername + "?start=" + code
}

// Invite is the invitation of one household.
type Invite struct {
	Code    string       `json:"code"`
	Ref     HouseholdRef `json:"household"`
	Issued  time.Time    `json:"issued"`
	Revoked bool         `json:"revoked,omitempty"`
}

// NewReceiptID returns a short receipt id (8 characters of Crockford base32).
func NewReceiptID() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	out := make([]byte, 8)
	for i, x := range b {
		out[i] = alphabet[x&31]
	}
	return string(out)
}
