package bot

import "testing"

func TestParseCommand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text, cmd, args string
	}{
		{"/vote", "vote", ""},
		{"/vote@renovote_bot", "vote", ""},
		{"/vote@renovote_bot now", "vote", "now"},
		{"/start abc", "start", "abc"},
		{"  /START  x y ", "start", "x y"},
		{"/start\nabc", "start", "abc"},
		{"/start\tabc  def", "start", "abc  def"},
		{"/help_me2", "help_me2", ""},
		{"你好 /vote", "", ""},
		{"vote", "", ""},
		{"/", "", ""},
		{"/ vote", "", ""},
		{"/@renovote_bot", "", ""},
		{"//vote", "", ""},
		{"/投票", "", ""},
		{"/2024/05/01 is the date", "", ""},
		{"/vote!", "", ""},
		{"", "", ""},
		{"   ", "", ""},
	}
	for _, c := range cases {
		cmd, args := parseCommand(c.text)
		if cmd != c.cmd || args != c.args {
			t.Errorf("parseCommand(%q) = (%q, %q), want (%q, %q)", c.text, cmd, args, c.cmd, c.args)
		}
	}
}
