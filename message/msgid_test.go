package message

import (
	"math/rand/v2"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBracketed holds bracketed equal to the regular expression it
// replaced, <([^<>]*)>, on hand-picked and random values.
func TestBracketed(t *testing.T) {
	re := regexp.MustCompile(`<([^<>]*)>`)
	cases := []string{"", "<a@b>", "<a@b> <c@d>", "<<a@b>>", "<a <b@c>", "a@b", "<>", "<a@b", "a>b<c>",
		"<a@b>(comment) <c@d>", "<\xff@x>", "<一@二>"}
	pieces := []string{"<", ">", "a", "@", " ", "\t", "\xff", "一"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(14) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		var want []string
		for _, m := range re.FindAllStringSubmatch(c, -1) {
			want = append(want, m[1])
		}
		if got := bracketed(c); !slices.Equal(got, want) {
			t.Errorf("bracketed(%q) = %q, the regexp finds %q", c, got, want)
		}
	}
}

// TestParseDateFastPath holds parseDate's one-layout try equal to
// net/mail's ParseDate wherever it succeeds.
func TestParseDateFastPath(t *testing.T) {
	for _, v := range []string{
		"Mon, 2 Jan 2006 15:04:05 -0700", "Tue, 10 Feb 2026 08:00:00 +0800", "Wed, 03 Jun 2026 23:59:59 +0000",
		"Thu, 4 Jun 2026 1:02:03 -1130", "Fri, 31 Feb 2026 10:00:00 +0100", "Sat, 6 Jun 26 10:00:00 +0100",
		"Sun, 7 Jun 2026 10:00:00 GMT", "Mon, 8 Jun 2026 10:00 +0100", "8 Jun 2026 10:00:00 +0100",
	} {
		fast, err := time.Parse(rfc5322Date, v)
		if err != nil {
			continue
		}
		want, err := mail.ParseDate(v)
		if err != nil || !want.Equal(fast) || want.Location().String() != fast.Location().String() {
			t.Errorf("%q: one layout gives %v, net/mail %v (%v)", v, fast, want, err)
		}
		if got, ok := parseDate(v); !ok || !got.Equal(want) {
			t.Errorf("parseDate(%q) = %v, %v; want %v", v, got, ok, want)
		}
	}
}
