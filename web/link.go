package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/renovote/renovote"
)

// Errors of a link or a session cookie: both mean 403.
var (
	// ErrExpired: the signature is good but the expiry has passed.
	ErrExpired = errors.New("expired")
	// ErrForged: malformed, not signed with our secret, or altered.
	ErrForged = errors.New("invalid signature")
)

// Claims are what a link or a session vouches for.
type Claims struct {
	UserID int64
	Role   renovote.Role
	// Compounds is the scope: compound ids, or renovote.AllCompounds alone.
	Compounds []string
	Expires   time.Time
}

// Covers reports whether the claims' scope includes the compound.
func (c Claims) Covers(compoundID string) bool {
	return slices.Contains(c.Compounds, renovote.AllCompounds) || slices.Contains(c.Compounds, compoundID)
}

// Token kinds: a link opens a session; a session cookie is not a link, nor
// the other way round.
const (
	kindLink    = "link"
	kindSession = "session"
)

// tokenVersion starts every payload, so the format can change.
const tokenVersion = "v1"

// maxTokenLen bounds what is decoded at all.
const maxTokenLen = 4096

// signer makes and checks tokens: base64url(payload) "." base64url(mac), the
// payload "v1|kind|user|role|compounds|expiry" (compounds comma-separated;
// ids are [a-z0-9_] or "*"), the mac HMAC-SHA256 of the payload.
type signer struct{ key []byte }

func (s signer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(payload)
	return m.Sum(nil)
}

func (s signer) sign(kind string, c Claims) (string, error) {
	for _, id := range c.Compounds {
		if id != renovote.AllCompounds && !renovote.ValidID(id) {
			return "", fmt.Errorf("sign %s: compound id %q: %w", kind, id, renovote.ErrInvalid)
		}
	}
	if c.UserID == 0 || c.Role == renovote.RoleResident || c.Expires.IsZero() {
		return "", fmt.Errorf("sign %s: a member of staff and an expiry are required: %w", kind, renovote.ErrInvalid)
	}
	payload := []byte(strings.Join([]string{tokenVersion, kind, strconv.FormatInt(c.UserID, 10), string(c.Role),
		strings.Join(c.Compounds, ","), strconv.FormatInt(c.Expires.Unix(), 10)}, "|"))
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(s.mac(payload)), nil
}

// verify checks a token of the kind at now: ErrForged unless it is well
// formed and signed with our key, ErrExpired when its time has passed.
func (s signer) verify(kind, tok string, now time.Time) (Claims, error) {
	if len(tok) > maxTokenLen {
		return Claims{}, ErrForged
	}
	p64, m64, ok := strings.Cut(tok, ".")
	if !ok {
		return Claims{}, ErrForged
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p64)
	mac, err2 := enc.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(payload)) {
		return Claims{}, ErrForged
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 6 || f[0] != tokenVersion || f[1] != kind {
		return Claims{}, ErrForged
	}
	uid, err1 := strconv.ParseInt(f[2], 10, 64)
	exp, err2 := strconv.ParseInt(f[5], 10, 64)
	if err1 != nil || err2 != nil {
		return Claims{}, ErrForged
	}
	c := Claims{UserID: uid, Role: renovote.Role(f[3]), Expires: time.Unix(exp, 0)}
	if f[4] != "" {
		c.Compounds = strings.Split(f[4], ",")
	}
	if !now.Before(c.Expires) {
		return c, ErrExpired
	}
	return c, nil
}
