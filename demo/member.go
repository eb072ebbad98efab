package demo

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeMember turns a feed member back into a FeedItem. GetFeed decodes up
// to 20 members on every read, and encoding/json's reflection costs about as
// much as the ZREVRANGE round trip itself on loopback; members are written
// by the engine in one canonical shape, so parsing that shape directly keeps
// the read path within a few percent of a raw ZREVRANGE. Anything else (an
// escaped character, another field order, a member written by another tool)
// goes through encoding/json, so the result is always what json.Unmarshal
// would give.
func decodeMember(m string) (FeedItem, bool) {
	if it, ok := decodeCanonical(m); ok {
		return it, true
	}
	var it FeedItem
	if json.Unmarshal([]byte(m), &it) != nil {
		return FeedItem{}, false
	}
	return it, true
}

// decodeCanonical parses exactly
// {"postId":"…","authorName":"…","title":"…","publishedAt":N}
// with no backslash in any string, and reports false for anything else.
func decodeCanonical(m string) (it FeedItem, ok bool) {
	rest, ok := strings.CutPrefix(m, `{"postId":"`)
	if !ok {
		return it, false
	}
	if it.PostID, rest, ok = plainString(rest, `,"authorName":"`); !ok {
		return it, false
	}
	if it.AuthorName, rest, ok = plainString(rest, `,"title":"`); !ok {
		return it, false
	}
	if it.Title, rest, ok = plainString(rest, `,"publishedAt":`); !ok {
		return it, false
	}
	num, ok := strings.CutSuffix(rest, "}")
	if !ok {
		return it, false
	}
	digits := strings.TrimPrefix(num, "-")
	if len(digits) == 0 || (digits[0] == '0' && len(digits) > 1) {
		return it, false // JSON forbids leading zeros
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return it, false
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return it, false
	}
	it.PublishedAt = n
	return it, true
}

// plainString reads a JSON string body up to its closing quote, which must be
// followed by next. It refuses strings with escapes or raw control bytes
// (json.Marshal never writes those raw), leaving them to encoding/json.
func plainString(s, next string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			rest, ok := strings.CutPrefix(s[i+1:], next)
			// encoding/json would replace invalid UTF-8 with U+FFFD.
			return s[:i], rest, ok && utf8.ValidString(s[:i])
		case c == '\\' || c < 0x20:
			return "", "", false
		}
	}
	return "", "", false
}
