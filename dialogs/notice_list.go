package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/renovote/renovote"
)

// After a notice is confirmed: its progress message, and the lists of notices
// residents and staff read.

// Sent is told by the adapter which message a Reply with Track became: for
// a notice's progress message ("notice:<id>") it records the message
// (Store.SetNoticeProgress) so that NoticeProgress can edit it. An unknown
// track is an error.
//
// A notice may finish before its progress message is known (a small one, sent
// fast): then the finished counts come back as a reply, so the final edit is
// not missed.
func (e *Engine) Sent(ctx context.Context, track string, chatID int64, messageID int) ([]Reply, error) {
	id, ok := strings.CutPrefix(track, trackNotice)
	if !ok || !noticeIDPattern.MatchString(id) || messageID <= 0 {
		return nil, fmt.Errorf("dialogs: sent: unknown track %q", track)
	}
	if err := e.store.SetNoticeProgress(ctx, id, chatID, messageID); err != nil {
		return nil, fmt.Errorf("dialogs: set notice progress: %w", err)
	}
	n, err := e.store.Notice(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("dialogs: notice after progress: %w", err)
	}
	if n.Status != renovote.NoticeDone && n.Status != renovote.NoticeCancelled {
		return nil, nil
	}
	if r, ok := NoticeProgress(n); ok {
		return []Reply{r}, nil
	}
	return nil, nil
}

// NoticeProgress is the edit of a notice's progress message in its sender's
// chat: "正在发送 120/808 …" while it is being sent, then "已送达 800，无法送达 6
// （已屏蔽机器人），失败 2", or that it was cancelled; in Chinese and English,
// since the sender's language is not kept. false when the notice has no
// progress message (ProgressID 0) or is still scheduled.
func NoticeProgress(n renovote.Notice) (Reply, bool) {
	if n.ProgressID == 0 {
		return Reply{}, false
	}
	text, ok := progressText(n)
	if !ok {
		return Reply{}, false
	}
	return Reply{ChatID: n.ByChat, EditMessageID: n.ProgressID, Text: text}, true
}

func progressText(n renovote.Notice) (string, bool) {
	c := n.Counts
	var m msg
	var args []any
	switch {
	case n.Status == renovote.NoticeScheduled:
		return "", false
	case n.Status == renovote.NoticeCancelled:
		m, args = mProgressCancelled, []any{n.ID}
	case n.Status == renovote.NoticeDone || c.Finished():
		m, args = mProgressDone, []any{n.ID, c.Delivered, c.Unreachable, c.Failed}
	default:
		m, args = mProgressSending, []any{n.ID, c.Delivered + c.Unreachable + c.Failed, c.Recipients}
	}
	return m.f(zh, args...) + "\n" + m.f(en, args...), true
}

// listNotices answers /notices and /notices_all.
func (t *turn) listNotices() (Response, error) {
	m, ok, err := t.may(renovote.ActResults)
	if err != nil {
		return t.fail("staff member", err)
	}
	if ok {
		return t.staffNotices(m)
	}
	if strings.EqualFold(t.in.Command, "notices_all") {
		return t.denied(m), nil
	}
	return t.residentNotices()
}

// residentNotices lists the notices sent to the resident's compound (and
// building): when, and their first lines.
func (t *turn) residentNotices() (Response, error) {
	ref, bound, err := t.e.store.Binding(t.ctx, t.in.UserID)
	if err != nil {
		return t.fail("binding", err)
	}
	if !bound {
		return t.say(mNotBound.s(t.l)), nil
	}
	p, c, h, err := t.household(ref)
	if err != nil {
		return t.fail("load household", err)
	}
	ns, err := t.e.store.Notices(t.ctx, ref.CompoundID, listNotices*2)
	if err != nil {
		return t.fail("notices", err)
	}
	loc := location(p)
	parts := []string{mNoticesOf.f(t.l, c.Name)}
	for _, n := range ns {
		if n.Kind != renovote.KindNotice || (n.Status != renovote.NoticeSending && n.Status != renovote.NoticeDone) ||
			len(n.Buildings) > 0 && !slices.Contains(n.Buildings, h.Building) {
			continue
		}
		if len(parts) > listNotices {
			break
		}
		body := noticeBody(n.Text)
		if strings.TrimSpace(body) == "" {
			body = n.Text
		}
		line := "🗓 " + fmtTime(t.l, loc, n.SendAt) + attachmentMarks(n) + "\n" + firstLines(body, 2, 120)
		parts = append(parts, line)
	}
	if len(parts) == 1 {
		parts = append(parts, mNoticesOfNone.s(t.l))
	}
	return Response{Replies: splitMessages(parts)}, nil
}

func attachmentMarks(n renovote.Notice) string {
	s := ""
	if n.Photo != "" {
		s += " 📷"
	}
	if n.Document != "" {
		s += " 📎"
	}
	return s
}

// firstLines is the first n non-empty lines of s, at most max characters,
// with "…" when something is left out.
func firstLines(s string, n, max int) string {
	var keep []string
	more := false
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if len(keep) == n {
			more = true
			break
		}
		keep = append(keep, line)
	}
	out := strings.Join(keep, "\n")
	if r := []rune(out); len(r) > max {
		out, more = string(r[:max]), true
	}
	if more {
		out += "…"
	}
	return out
}

// staffNotices lists the notices of the member's scope (every notice for the
// bureau, admins and workers of every compound), newest first, with status
// and delivery counts; scheduled ones get a button to cancel them.
func (t *turn) staffNotices(m renovote.StaffMember) (Response, error) {
	p, err := t.e.store.Programme(t.ctx)
	if err != nil {
		return t.fail("programme", err)
	}
	var ns []renovote.Notice
	if coversAll(p, m) {
		if ns, err = t.e.store.AllNotices(t.ctx, listNotices); err != nil {
			return t.fail("all notices", err)
		}
	} else {
		seen := map[string]bool{}
		for _, c := range inScope(p, m) {
			got, err := t.e.store.Notices(t.ctx, c.ID, listNotices)
			if err != nil {
				return t.fail("notices", err)
			}
			for _, n := range got {
				if !seen[n.ID] {
					seen[n.ID] = true
					ns = append(ns, n)
				}
			}
		}
		slices.SortStableFunc(ns, func(a, b renovote.Notice) int {
			if c := b.Created.Compare(a.Created); c != 0 {
				return c
			}
			return naturalCompare(b.ID, a.ID)
		})
		ns = ns[:min(len(ns), listNotices)]
	}
	loc := location(p)
	parts := []string{mNoticesHeader.f(t.l, fmtTime(t.l, loc, t.now))}
	var buttons [][]Button
	for _, n := range ns {
		parts = append(parts, t.noticeLine(p, n))
		if n.Status == renovote.NoticeScheduled && m.Role.Can(renovote.ActNotice) && len(buttons) < maxCancelButtons && coversEach(m, n.Compounds) {
			buttons = append(buttons, []Button{{Label: mBtnCancelNotice.f(t.l, n.ID), Data: "nx:" + n.ID}})
		}
	}
	if len(ns) == 0 {
		parts = append(parts, mNoticesNone.s(t.l))
	}
	replies := splitMessages(parts)
	replies[len(replies)-1].Buttons = buttons
	return Response{Replies: replies}, nil
}

func coversEach(m renovote.StaffMember, compounds []string) bool {
	for _, c := range compounds {
		if !m.Covers(c) {
			return false
		}
	}
	return true
}

// noticeLine: "N3 · 5月21日 10:00 · 粮贸小区 3栋 · 已完成 · 送达 3/4，无法送达 1，失败 0\n   停水通知…".
func (t *turn) noticeLine(p renovote.Programme, n renovote.Notice) string {
	l, loc := t.l, location(p)
	to := scopeLabel(l, p, n.Compounds)
	for _, b := range n.Buildings {
		to += " " + whereLabel(l, b)
	}
	s := n.ID + " · " + fmtTime(l, loc, n.Created) + " · " + to
	if n.Kind == renovote.KindReminder {
		s += " · " + mKindReminder.s(l)
	}
	switch {
	case n.Status == renovote.NoticeScheduled:
		s += " · " + mNoticeStScheduled.f(l, fmtTime(l, loc, n.SendAt))
	case n.Status == renovote.NoticeCancelled:
		s += " · " + mNoticeStCancelled.s(l)
	default:
		st := mNoticeStSending.s(l)
		if n.Status == renovote.NoticeDone || n.Counts.Finished() {
			st = mNoticeStDone.s(l)
		}
		c := n.Counts
		s += " · " + st + " · " + mNoticeCounts.f(l, c.Delivered, c.Recipients, c.Unreachable, c.Failed)
		if n.Late {
			s += mNoticeLate.s(l)
		}
	}
	s += attachmentMarks(n)
	if body := firstLines(noticeBody(n.Text), 1, 40); body != "" {
		s += "\n   " + body
	}
	return s
}

// maxUndelivered is how many dead letters /undelivered shows.
const maxUndelivered = 30

// undelivered answers /undelivered (staff who read results): the outbox
// messages given up on after retries (the dead-letter list), of notices in the
// member's scope, newest first, so workers can reach those households another way.
func (t *turn) undelivered() (Response, error) {
	m, p, resp, done, err := t.staffAct(renovote.ActResults)
	if done {
		return resp, err
	}
	dead, err := t.e.store.DeadLetters(t.ctx, 10*maxUndelivered)
	if err != nil {
		return t.fail("dead letters", err)
	}
	loc := location(p)
	var lines []string
	notices := map[string]renovote.Notice{}
	for _, d := range dead {
		n, seen := notices[d.Msg.NoticeID]
		if !seen {
			if n, err = t.e.store.Notice(t.ctx, d.Msg.NoticeID); err != nil {
				return t.fail("notice of a dead letter", err)
			}
			notices[d.Msg.NoticeID] = n
		}
		if !slices.ContainsFunc(n.Compounds, m.Covers) {
			continue
		}
		lines = append(lines, mUndeliveredLine.f(t.l, fmtTime(t.l, loc, d.At), n.ID, d.Msg.ChatID, firstLines(d.Error, 1, 80)))
		if len(lines) == maxUndelivered {
			break
		}
	}
	if len(lines) == 0 {
		return t.say(mUndeliveredNone.s(t.l)), nil
	}
	return Response{Replies: splitMessages(append([]string{mUndeliveredHeader.f(t.l, len(lines))}, lines...))}, nil
}
