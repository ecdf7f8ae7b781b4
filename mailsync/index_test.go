package mailsync

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// A batch takes messages up to indexBatchBytes of raw bytes, and a message
// larger than that alone.
func TestIndexBatchLen(t *testing.T) {
	u := func(sizes ...int64) []store.Unindexed {
		out := make([]store.Unindexed, len(sizes))
		for i, s := range sizes {
			out[i] = store.Unindexed{ID: store.MessageID(i + 1), Size: s}
		}
		return out
	}
	for _, c := range []struct {
		sizes []int64
		want  int
	}{
		{nil, 0},
		{[]int64{10, 10, 10}, 3},
		{[]int64{60, 40, 1}, 2},
		{[]int64{60, 41}, 1},
		{[]int64{500, 1}, 1}, // larger than the batch: alone
		{[]int64{1, 500}, 1},
		{[]int64{100}, 1},
	} {
		if got := batchLen(u(c.sizes...), 100); got != c.want {
			t.Errorf("batchLen(%v, 100) = %d, want %d", c.sizes, got, c.want)
		}
	}
}

func TestCapText(t *testing.T) {
	for _, c := range []struct {
		s    string
		max  int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"邮箱搬家", 7, "邮箱"}, // 3 bytes a character: never half of one
		{"邮箱搬家", 6, "邮箱"},
		{"邮箱搬家", 2, ""},
	} {
		got := capText(c.s, c.max)
		if got != c.want || !utf8.ValidString(got) {
			t.Errorf("capText(%q, %d) = %q, want %q", c.s, c.max, got, c.want)
		}
	}
}

// A body longer than indexTextMax is indexed up to the cap: search finds
// words before it, not after it.
func TestLongBodyIndexedUpToTheCap(t *testing.T) {
	f := newFixture(t, 0)
	line := strings.Repeat("lorem ipsum dolor sit amet ", 3) + "\r\n"
	var body strings.Builder
	body.WriteString("qzxfirstword\r\n")
	for body.Len() < indexTextMax-len(line)-100 {
		body.WriteString(line)
	}
	body.WriteString("qzxbeforethecap\r\n")
	for body.Len() < indexTextMax+indexTextMax/4 { // past the cap though CRLF becomes LF
		body.WriteString(line)
	}
	body.WriteString("qzxafterthecap\r\n")
	raw := fmt.Sprintf("From: log@example.test\r\nTo: %s\r\nSubject: nightly log\r\nMessage-ID: <long-1@example.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s", f.user.Email, body.String())
	f.d.Deliver(t, f.user.Email, []byte(raw))
	if sum := f.syncOnce(Options{}); sum.Indexed != 1 {
		t.Fatalf("indexed %d messages, want 1", sum.Indexed)
	}
	for q, want := range map[string]int{"qzxfirstword": 1, "qzxbeforethecap": 1, "qzxafterthecap": 0, "nightly": 1} {
		res := f.search(q)
		if len(res) != want {
			t.Errorf("search %q found %d messages, want %d", q, len(res), want)
		}
	}
}

// The index stage reads bodies as streams (store.OpenRaw into a
// message.Skimmer): for every message of a synced corpus (malformed ones
// and large attachments included) it yields the text, preview and
// attachment marker of the whole-message path (bodyOf), and the store
// holds that preview and marker.
func TestIndexStreamMatchesWholeMessage(t *testing.T) {
	f := newFixture(t, 240)
	f.syncOnce(Options{})
	ctx := context.Background()
	var skim message.Skimmer
	n, large := 0, 0
	for _, fo := range f.storeFolders() {
		uids, err := f.st.UIDs(ctx, fo.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range uids {
			id, err := f.st.Lookup(ctx, fo.ID, u.UID)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := f.st.Raw(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			h, _, err := f.st.BodyHash(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want := bodyOf(raw)
			got, err := f.engine(Options{}).skimStored(ctx, &skim, h)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || got.Text != want.Text || got.Preview != want.Preview || got.HasAttachments != *want.HasAttachment {
				t.Errorf("%s uid %d: streamed %+.200v, whole %+.200v", fo.Name, u.UID, got, want)
			}
			m, err := f.st.Message(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if (want.Preview != "" && m.Preview != want.Preview) || m.HasAttachment != *want.HasAttachment {
				t.Errorf("%s uid %d: stored preview %q attachment %v, want %q %v", fo.Name, u.UID, m.Preview, m.HasAttachment, want.Preview, *want.HasAttachment)
			}
			n++
			if len(raw) > 1<<20 {
				large++
			}
		}
	}
	if n < 200 || large == 0 {
		t.Fatalf("compared %d messages, %d large: the corpus did not sync", n, large)
	}
}
