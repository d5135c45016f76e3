package sandbox

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/renovote/renovote"
	"github.com/renovote/renovote/programme"
)

// The clock starts at the given time, runs with the real one, jumps only
// forward, and is read back from its file at the same offset.
func TestClock(t *testing.T) {
	dir := t.TempDir()
	real := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	realNow := func() time.Time { return real }
	start := time.Date(2020, 5, 1, 2, 0, 0, 0, time.UTC)
	c, err := openClock(dir, start, realNow)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Now().Equal(start) || !c.Through().Equal(start) {
		t.Fatalf("new clock: now %v through %v, want %v", c.Now(), c.Through(), start)
	}
	real = real.Add(90 * time.Second)
	if want := start.Add(90 * time.Second); !c.Now().Equal(want) {
		t.Errorf("after 90 s: %v, want %v", c.Now(), want)
	}
	if err := c.Jump(start); !errors.Is(err, renovote.ErrInvalid) {
		t.Errorf("jump back: %v, want ErrInvalid", err)
	}
	target := start.Add(48 * time.Hour)
	if err := c.Jump(target); err != nil || !c.Now().Equal(target) {
		t.Fatalf("jump: %v, now %v", err, c.Now())
	}
	if err := c.SetThrough(target.Add(-time.Hour), true); err != nil {
		t.Fatal(err)
	}
	if err := c.SetThrough(target, false); err != nil || !c.Through().Equal(target) {
		t.Fatal(err)
	}
	if err := c.SetThrough(target, true); err != nil {
		t.Fatal(err)
	}
	// Another process, later: the same offset, a start ignored.
	real = real.Add(time.Hour)
	again, err := openClock(dir, time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), realNow)
	if err != nil {
		t.Fatal(err)
	}
	if want := target.Add(time.Hour); !again.Now().Equal(want) || !again.Through().Equal(target) {
		t.Errorf("reopened: now %v through %v, want %v and %v", again.Now(), again.Through(), want, target)
	}
}

// The targets of the seed programme on 2020-05-10 10:00, and the marks the
// minute checks need.
func TestTargetsAndMarks(t *testing.T) {
	p := programme.Seed()
	loc, _ := p.Location()
	now := time.Date(2020, 5, 10, 10, 0, 0, 0, loc)
	var got []string
	for _, tg := range Targets(p, now, "zh") {
		got = append(got, tg.ID+" "+tg.At.In(loc).Format("2006-01-02 15:04"))
	}
	want := []string{
		"hour 2020-05-10 11:00",
		"today19 2020-05-10 19:00",
		"tomorrow19 2020-05-11 19:00",
		"phase 2020-06-01 08:00", // starts at midnight, in the quiet hours: announced at 08:00
		"close:liangmao 2020-05-21 00:00",
		"close:laozhongyiyuan 2020-05-21 00:00",
		"close:wuzhuangbu 2020-05-21 00:00",
		"close:laocaizhengju 2020-05-21 00:00",
		"close:jinrong 2020-05-21 00:00",
	}
	if !slices.Equal(got, want) {
		t.Errorf("targets:\n%v\nwant\n%v", got, want)
	}
	evening := time.Date(2020, 5, 21, 20, 0, 0, 0, loc)
	for _, tg := range Targets(p, evening, "en") {
		if tg.ID == "today19" || tg.ID == "close:liangmao" {
			t.Errorf("at %v: target %s is behind", evening, tg.ID)
		}
		if tg.ID == "tomorrow19" && tg.Label != "tomorrow 19:00 (reminders)" {
			t.Errorf("English label %q", tg.Label)
		}
	}
	notice := renovote.Notice{SendAt: time.Date(2020, 5, 12, 9, 30, 0, 0, loc)}
	marks := Marks(p, []renovote.Notice{notice})
	if !slices.ContainsFunc(marks, notice.SendAt.Equal) {
		t.Errorf("marks %v lack the notice's time", marks)
	}
	june := time.Date(2020, 6, 1, 0, 0, 0, 0, loc)
	if !slices.ContainsFunc(marks, june.Equal) || !slices.ContainsFunc(marks, june.Add(8*time.Hour).Equal) {
		t.Errorf("marks %v lack the phase's start or the end of its quiet hours", marks)
	}
	if !slices.IsSortedFunc(marks, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Errorf("marks not sorted: %v", marks)
	}
}
