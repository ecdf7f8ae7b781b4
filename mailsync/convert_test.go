package mailsync

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// attachmentType is the regular expression attachmentGuess replaces: the
// oracle it must agree with.
var attachmentType = regexp.MustCompile(`(?im)^content-type:\s*(multipart/mixed|application/|multipart/related.*\n?.*application)`)

// TestAttachmentGuess holds attachmentGuess equal to the regular expression
// it replaced, on hand-picked header blocks and on random ones built from
// the pieces that matter (folding, case, CRLF, the related-with-application
// case over two lines).
func TestAttachmentGuess(t *testing.T) {
	cases := []string{
		"",
		"Content-Type: multipart/mixed; boundary=x\r\n",
		"content-type:multipart/MIXED\r\n",
		"Subject: hi\r\nContent-Type: text/plain\r\n\r\n",
		"Subject: hi\r\nContent-Type:\r\n application/pdf\r\n",
		"X-Content-Type: application/pdf\r\n",
		"Content-Type: multipart/related; type=\"text/html\"\r\n boundary=\"b\"\r\n",
		"Content-Type: multipart/related; type=\"application/xhtml\"\r\n",
		"Content-Type: multipart/related;\r\n type=\"APPLICATION/x\"\r\n",
		"Content-Type: multipart/related;\r\n\r\n type=\"application/x\"\r\n",
		"Content-Type: multipart/related;\r\n a=b\r\n type=application\r\n",
		"Subject: application/\r\n",
		"Content-Type: multipart/alternative\r\nContent-Type: application/zip\r\n",
		"Content-Type: multipart/related",
		"Content-Type: multipart/relatedapplication",
	}
	pieces := []string{"Content-Type:", "content-TYPE:", "Content-Type", " ", "\t", "\r\n", "\n", "\r\n ",
		"multipart/mixed", "multipart/related", "MULTIPART/RELATED", "application/", "Application", "text/plain",
		"; type=", "\"", "x", "Subject: a", "applicatio", "n"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		cases = append(cases, b.String())
	}
	for _, c := range cases {
		if got, want := attachmentGuess([]byte(c)), attachmentType.MatchString(c); got != want {
			t.Errorf("attachmentGuess(%q) = %v, the regexp says %v", c, got, want)
		}
	}
}
