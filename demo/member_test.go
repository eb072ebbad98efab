package demo

import (
	"encoding/json"
	"testing"
)

func TestDecodeMemberMatchesEncodingJSON(t *testing.T) {
	cases := []FeedItem{
		{"p1", "Alice", "Hello", 1767322645001},
		{"", "", "", 0},
		{"p2", "Bob", `quotes " and \ backslash`, -5},
		{"p3", "Carol", "<b>&amp;</b> html escapes", 42},
		{"p4", "Dave", "café ☕ \u2028 line sep", 1},
	}
	for _, want := range cases {
		b, _ := json.Marshal(want)
		got, ok := decodeMember(string(b))
		if !ok || got != want {
			t.Errorf("decodeMember(%s) = %+v, %v; want %+v", b, got, ok, want)
		}
	}
}

func FuzzDecodeMember(f *testing.F) {
	f.Add(`{"postId":"a","authorName":"b","title":"c","publishedAt":1}`)
	f.Add(`{"postId":"a","authorName":"b","title":"c","publishedAt":01}`)
	f.Add(`{"title":"c","postId":"a","authorName":"b","publishedAt":1}`)
	f.Fuzz(func(t *testing.T, m string) {
		var want FeedItem
		wantOK := json.Unmarshal([]byte(m), &want) == nil
		got, ok := decodeMember(m)
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("decodeMember(%q) = %+v, %v; encoding/json: %+v, %v", m, got, ok, want, wantOK)
		}
	})
}

func BenchmarkDecodeMember(b *testing.B) {
	m, _ := json.Marshal(FeedItem{"0194f3a2b1c49f3e2a1b", "Alice", "a post of ordinary length, about as long as a title gets", 1767322645001})
	b.Run("canonical", func(b *testing.B) {
		for b.Loop() {
			decodeMember(string(m))
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			var it FeedItem
			_ = json.Unmarshal(m, &it)
		}
	})
}

func TestDecodeMemberEdgeCases(t *testing.T) {
	for _, m := range []string{
		`{"postId":"a","authorName":"b","title":"c","publishedAt":-01}`,
		`{"postId":"a","authorName":"b","title":"c","publishedAt":-}`,
		`{"postId":"a","authorName":"b","title":"c","publishedAt":+1}`,
		"{\"postId\":\"a\",\"authorName\":\"b\",\"title\":\"\xff\",\"publishedAt\":1}",
	} {
		var want FeedItem
		wantOK := json.Unmarshal([]byte(m), &want) == nil
		if got, ok := decodeMember(m); ok != wantOK || got != want {
			t.Errorf("decodeMember(%q) = %+v, %v; encoding/json %+v, %v", m, got, ok, want, wantOK)
		}
	}
}
