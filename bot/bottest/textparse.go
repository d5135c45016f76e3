package bottest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// utf16Len is the length of s in UTF-16 code units, the unit Telegram uses
// for text limits and entity offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid UTF-8 decodes to U+FFFD: one unit
	}
	return n
}

// plainText returns the text the user sees for text sent with parseMode,
// or Telegram's "can't parse entities" error. parseMode is matched like
// Telegram does (case-insensitive; "" means plain text).
func plainText(text, parseMode string) (string, *apiError) {
	var (
		out string
		err error
	)
	switch strings.ToLower(parseMode) {
	case "":
		return text, nil
	case "html":
		out, err = parseHTML(text)
	case "markdownv2":
		out, err = parseMarkdownV2(text)
	case "markdown":
		out, err = parseMarkdown(text)
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", badRequest("can't parse entities: %v", err)
	}
	return out, nil
}

// htmlTags are the tags Telegram's HTML parse mode supports.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "tg-emoji": true, "code": true, "pre": true, "blockquote": true,
	"tg-time": true,
}

func parseHTML(s string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Can't find end of the tag starting at byte offset %d", i)
			}
			tag := s[i+1 : i+end]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top, name)
				}
				stack = stack[:len(stack)-1]
			} else {
				name := tag
				if k := strings.IndexAny(tag, " \t\r\n/"); k >= 0 {
					name = tag[:k]
				}
				name = strings.ToLower(name)
				if !htmlTags[name] {
					return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				if name == "span" && !strings.Contains(tag, "tg-spoiler") {
					return "", fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", i)
				}
				if strings.Count(tag, `"`)%2 != 0 {
					return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
				}
				stack = append(stack, name)
			}
			i += end + 1
		case '&':
			r, n := htmlEntity(s[i:])
			if n == 0 {
				out.WriteByte('&')
				i++
				continue
			}
			out.WriteRune(r)
			i += n
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return out.String(), nil
}

// htmlEntity decodes the entities Telegram supports (&lt; &gt; &amp; &quot;
// and numeric ones) at the start of s; n is 0 when there is none.
func htmlEntity(s string) (rune, int) {
	semi := strings.IndexByte(s, ';')
	if semi < 2 || semi > 12 {
		return 0, 0
	}
	name := s[1:semi]
	switch name {
	case "lt":
		return '<', semi + 1
	case "gt":
		return '>', semi + 1
	case "amp":
		return '&', semi + 1
	case "quot":
		return '"', semi + 1
	}
	if strings.HasPrefix(name, "#") {
		num, base := name[1:], 10
		if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
			num, base = num[1:], 16
		}
		v, err := strconv.ParseUint(num, base, 32)
		if err == nil && utf8.ValidRune(rune(v)) {
			return rune(v), semi + 1
		}
	}
	return 0, 0
}

// mdv2Reserved must be escaped outside entities in MarkdownV2.
const mdv2Reserved = "_*[]()~`>#+-=|{}.!"

type mdOpen struct {
	kind string
	at   int
}

func parseMarkdownV2(s string) (string, error) {
	var out strings.Builder
	var stack []mdOpen
	lineStart, expandable := true, false
	toggle := func(kind string, at int) {
		for k := len(stack) - 1; k >= 0; k-- {
			if stack[k].kind == kind {
				stack = append(stack[:k], stack[k+1:]...)
				return
			}
		}
		stack = append(stack, mdOpen{kind, at})
	}
	for i := 0; i < len(s); {
		c := s[i]
		atLineStart := lineStart
		lineStart = false
		if atLineStart && c != '>' && !strings.HasPrefix(s[i:], "**>") {
			expandable = false
		}
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] >= 1 && s[i+1] <= 126:
			out.WriteByte(s[i+1])
			i += 2
			lineStart = s[i-1] == '\n'
			continue
		case c == '`':
			fence := "`"
			kind := "Code"
			if strings.HasPrefix(s[i:], "```") {
				fence, kind = "```", "Pre"
			}
			body, n, ok := mdCode(s[i+len(fence):], fence)
			if !ok {
				return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", kind, i)
			}
			if kind == "Pre" {
				if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsAny(body[:nl], " \t") {
					body = body[nl+1:] // language line
				}
			}
			out.WriteString(body)
			i += len(fence) + n + len(fence)
			continue
		case c == '*' && atLineStart && strings.HasPrefix(s[i:], "**>"):
			expandable = true
			i += 3
			continue
		case c == '>' && atLineStart:
			i++
			continue
		case c == '*':
			toggle("Bold", i)
		case c == '_' && strings.HasPrefix(s[i:], "__"):
			toggle("Underline", i)
			i += 2
			continue
		case c == '_':
			toggle("Italic", i)
		case c == '~':
			toggle("Strikethrough", i)
		case c == '|' && strings.HasPrefix(s[i:], "||"):
			end := i+2 == len(s) || s[i+2] == '\n'
			if expandable && end && !mdHas(stack, "Spoiler") {
				i += 2 // end of an expandable block quotation
				continue
			}
			toggle("Spoiler", i)
			i += 2
			continue
		case c == '!' && strings.HasPrefix(s[i:], "!["):
			stack = append(stack, mdOpen{"CustomEmoji", i})
			i += 2
			continue
		case c == '[':
			stack = append(stack, mdOpen{"TextUrl", i})
		case c == ']':
			k := len(stack) - 1
			for k >= 0 && stack[k].kind != "TextUrl" && stack[k].kind != "CustomEmoji" {
				k--
			}
			if k < 0 {
				return "", mdReserved(c)
			}
			if k != len(stack)-1 {
				top := stack[len(stack)-1]
				return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", top.kind, top.at)
			}
			kind := stack[k].kind
			stack = stack[:k]
			i++
			if i < len(s) && s[i] == '(' {
				n, ok := mdURL(s[i+1:])
				if !ok {
					return "", fmt.Errorf("Can't find end of a URL at byte offset %d", i+1)
				}
				i += 1 + n + 1
			} else if kind == "CustomEmoji" {
				return "", fmt.Errorf("Custom emoji entity must contain a tg://emoji URL")
			}
			continue
		case strings.IndexByte(mdv2Reserved, c) >= 0:
			return "", mdReserved(c)
		default:
			out.WriteByte(c)
		}
		lineStart = c == '\n'
		i++
	}
	if len(stack) > 0 {
		o := stack[0]
		return "", fmt.Errorf("Can't find end of %s entity at byte offset %d", o.kind, o.at)
	}
	return out.String(), nil
}

func mdHas(stack []mdOpen, kind string) bool {
	for _, o := range stack {
		if o.kind == kind {
			return true
		}
	}
	return false
}

func mdReserved(c byte) error {
	return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
}

// mdCode scans a code/pre body up to the closing fence; inside, only '`'
// and '\' are escapable. It returns the unescaped body and the byte length
// consumed before the fence.
func mdCode(s, fence string) (string, int, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '`' || s[i+1] == '\\') {
			b.WriteByte(s[i+1])
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], fence) {
			return b.String(), i, true
		}
		b.WriteByte(s[i])
		i++
	}
	return "", 0, false
}

// mdURL scans a link URL up to the unescaped ')'.
func mdURL(s string) (int, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ')':
			return i, true
		}
	}
	return 0, false
}

// parseMarkdown implements the legacy "Markdown" mode: *bold*, _italic_,
// `code`, ```pre```, [text](url); entities cannot nest.
func parseMarkdown(s string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && strings.IndexByte("_*`[", s[i+1]) >= 0 {
				out.WriteByte(s[i+1])
				i += 2
				continue
			}
		case '*', '_', '`':
			fence := string(c)
			if strings.HasPrefix(s[i:], "```") {
				fence = "```"
			}
			end := strings.Index(s[i+len(fence):], fence)
			if end < 0 {
				return "", fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			out.WriteString(s[i+len(fence) : i+len(fence)+end])
			i += len(fence) + end + len(fence)
			continue
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return "", fmt.Errorf("Can't find end of the entity starting at byte offset %d", i)
			}
			out.WriteString(s[i+1 : i+end])
			i += end + 1
			if i < len(s) && s[i] == '(' {
				if close := strings.IndexByte(s[i:], ')'); close >= 0 {
					i += close + 1
				}
			}
			continue
		}
		out.WriteByte(c)
		i++
	}
	return out.String(), nil
}
