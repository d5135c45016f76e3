package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"
)

// The go-telegram client puts the token in every request URL, and transport
// errors (*url.Error) quote that URL. Nothing the bot logs or returns may carry
// the token: the logger is wrapped by redactHandler and returned errors by
// redactErr.

const redacted = "<token>"

// redactHandler replaces the token in every message and attribute.
type redactHandler struct {
	inner  slog.Handler
	secret string
}

func newRedactLogger(l *slog.Logger, secret string) *slog.Logger {
	if secret == "" {
		return l
	}
	return slog.New(redactHandler{inner: l.Handler(), secret: secret})
}

func (h redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h redactHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, strings.ReplaceAll(r.Message, h.secret, redacted), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, strings.ReplaceAll(v.String(), h.secret, redacted))
	case slog.KindGroup:
		var as []any
		for _, g := range v.Group() {
			as = append(as, h.attr(g))
		}
		return slog.Group(a.Key, as...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, strings.ReplaceAll(err.Error(), h.secret, redacted))
		}
		if s := v.String(); strings.Contains(s, h.secret) {
			return slog.String(a.Key, strings.ReplaceAll(s, h.secret, redacted))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return redactHandler{inner: h.inner.WithAttrs(clean), secret: h.secret}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{inner: h.inner.WithGroup(name), secret: h.secret}
}

// redactedError keeps the kind of the error (errors.Is/As still see the
// original) but its text has no token.
type redactedError struct {
	err    error
	secret string
}

func (e redactedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.secret, redacted) }
func (e redactedError) Unwrap() error { return e.err }

func redactErr(err error, secret string) error {
	if err == nil || secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	var already redactedError
	if errors.As(err, &already) {
		return err
	}
	return redactedError{err: err, secret: secret}
}
