package bottest

import (
	"strings"
	"testing"
)

func TestPlainText(t *testing.T) {
	ok := []struct{ mode, in, want string }{
		{"", "a <b> & c", "a <b> & c"},
		{"HTML", "<b>bold</b> &lt;3 &amp; <a href=\"https://x.y\">link</a> &#128512;", "bold <3 & link 😀"},
		{"html", "<i>x</i><tg-spoiler>s</tg-spoiler><span class=\"tg-spoiler\">t</span><pre><code class=\"language-go\">c</code></pre>", "xstc"},
		{"HTML", "<blockquote expandable>q</blockquote> AT&T", "q AT&T"},
		{"MarkdownV2", "*bold* _it_ __u__ ~s~ ||sp|| `co\\`de` [link](https://x.y/(a\\)) 1\\.5\\!", "bold it u s sp co`de link 1.5!"},
		{"MarkdownV2", "```go\nfmt.Println()\n```", "fmt.Println()\n"},
		{"MarkdownV2", ">quote\n**>expandable\n>more||", "quote\nexpandable\nmore"},
		{"MarkdownV2", "*bold _nested_*", "bold nested"},
		{"Markdown", "*b* _i_ `c` [t](http://x.y) a\\_b", "b i c t a_b"},
	}
	for _, c := range ok {
		got, err := plainText(c.in, c.mode)
		if err != nil || got != c.want {
			t.Errorf("plainText(%q, %q) = %q, %v; want %q", c.in, c.mode, got, err, c.want)
		}
	}
	bad := []struct{ mode, in, want string }{
		{"HTML", "<b>x", `Can't find end tag corresponding to start tag "b"`},
		{"HTML", "<b>x</i>", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"HTML", "a<br>b", `Unsupported start tag "br" at byte offset 1`},
		{"HTML", "1 < 2", "Can't find end of the tag starting at byte offset 2"},
		{"HTML", "x</b>", "Unexpected end tag at byte offset 1"},
		{"MarkdownV2", "Hello!", "Character '!' is reserved"},
		{"MarkdownV2", "a-b", "Character '-' is reserved"},
		{"MarkdownV2", "*open", "Can't find end of Bold entity at byte offset 0"},
		{"MarkdownV2", "`code", "Can't find end of Code entity"},
		{"MarkdownV2", "x]", "Character ']' is reserved"},
		{"Markdown", "*open", "Can't find end of the entity starting at byte offset 0"},
		{"Fancy", "x", "unsupported parse_mode"},
	}
	for _, c := range bad {
		_, err := plainText(c.in, c.mode)
		if err == nil || !strings.Contains(err.Description, c.want) {
			t.Errorf("plainText(%q, %q) error = %v; want %q", c.in, c.mode, err, c.want)
		}
	}
}

func TestUTF16Len(t *testing.T) {
	for s, n := range map[string]int{"": 0, "abc": 3, "я": 1, "😀": 2, "a😀b": 4, "\xff": 1} {
		if got := utf16Len(s); got != n {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, n)
		}
	}
}

func TestCommandEntity(t *testing.T) {
	for text, want := range map[string]string{
		"/start":           `[{"offset":0,"length":6,"type":"bot_command"}]`,
		"/vote@bot please": `[{"offset":0,"length":9,"type":"bot_command"}]`,
		"hello":            ``,
		"/":                ``,
	} {
		if got := string(commandEntity(text)); got != want {
			t.Errorf("commandEntity(%q) = %s, want %s", text, got, want)
		}
	}
}
