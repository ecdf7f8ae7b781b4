package message

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/internal/corpus"
)

// checkSkim fails unless Skim, reading raw in pieces of every size given
// (0: the default), yields Parse's text, preview and attachment marker.
func checkSkim(t *testing.T, name string, raw []byte, sizes ...int) {
	t.Helper()
	p, perr := Parse(raw)
	for _, size := range sizes {
		s := Skimmer{bufSize: size}
		got, err := s.Skim(bytes.NewReader(raw))
		if perr != nil {
			if err != perr {
				t.Errorf("%s (buffer %d): Skim err %v, Parse err %v", name, size, err, perr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s (buffer %d): Skim: %v", name, size, err)
			continue
		}
		want := IndexText{Text: p.Text, Preview: p.Preview, HasAttachments: p.HasAttachments}
		if got != want {
			t.Errorf("%s (buffer %d): Skim differs from Parse:\n got %+.300v\nwant %+.300v", name, size, got, want)
		}
	}
}

func TestSkimMatchesParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	if len(files) == 0 {
		t.Fatal("no test messages")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkSkim(t, f, raw, 0, 16, 17, 61)
		// Without a final line break, and with CRLF line ends.
		checkSkim(t, f+" (trimmed)", bytes.TrimRight(raw, "\r\n"), 0, 16)
		crlf := bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
		checkSkim(t, f+" (CRLF)", crlf, 0, 23)
	}
	for i, raw := range skimCases() {
		checkSkim(t, fmt.Sprintf("case %d", i), []byte(raw), 0, 16, 19)
	}
}

func TestSkimMatchesParseOnCorpus(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 600
	}
	err := corpus.Each(corpus.Options{Seed: 1, Messages: n, LargeEvery: 300, Malformed: true}, func(m corpus.Message) error {
		checkSkim(t, m.MessageID, m.Raw, 0)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = corpus.Each(corpus.Options{Seed: 7, Messages: 200, Malformed: true}, func(m corpus.Message) error {
		checkSkim(t, m.MessageID, m.Raw, 16, 29)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSkimKeepsNoAttachment: the bytes kept of a message with a large
// attachment are those of its headers and text, however long the
// attachment's lines.
func TestSkimKeepsNoAttachment(t *testing.T) {
	for _, line := range []int{76, 1 << 20} {
		var att strings.Builder
		for att.Len() < 4<<20 {
			att.WriteString(strings.Repeat("QUJD", line/4))
			att.WriteString("\r\n")
		}
		raw := "From: a@example.com\r\nSubject: big\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
			"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello there\r\n" +
			"--b1\r\nContent-Type: application/octet-stream; name=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			att.String() + "--b1--\r\n"
		var s Skimmer
		kept, err := s.reduce(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) > 1024 {
			t.Errorf("lines of %d: kept %d bytes of a %d-byte message", line, len(kept), len(raw))
		}
		checkSkim(t, fmt.Sprintf("lines of %d", line), []byte(raw), 0)
	}
}

// skimCases are hostile structures: boundaries that prefix each other, the
// same boundary nested, boundary lines inside attachments, padding,
// digests, parts without bodies, nesting past the limit.
func skimCases() []string {
	deep := "Content-Type: multipart/mixed; boundary=d0\n\n"
	for i := 1; i <= maxMIMEDepth+2; i++ {
		deep += fmt.Sprintf("--d%d\nContent-Type: multipart/mixed; boundary=d%d\n\n", i-1, i)
	}
	deep += "--d34\nContent-Type: application/pdf\n\nPDFDATA\n--d34--\nafter\n"
	return []string{
		"Content-Type: multipart/mixed; boundary=abc\n\npre\n--abc\nContent-Type: multipart/alternative; boundary=abcd\n\n--abcd\n\nplain one\n--abcd\nContent-Type: text/html\n\n<p>html</p>\n--abcd--\nepi\n--abc\nContent-Type: image/png\n\n--abcX\n--abcd\nnot a boundary here\n--abc--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: multipart/mixed; boundary=x\n\n--x\n\ninner?\n--x--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/zip\n\n--x \t \r\n--x\n\ntext after padded boundary\n--x--",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/zip\n\nzz\n--x    y\nstill zip\n--x--garbage\n--x\n\nafter close\n",
		"Content-Type: multipart/digest; boundary=dg\n\n--dg\n\nSubject: inner\n\nbody of inner\n--dg\nContent-Type: text/plain\n\nreal text\n--dg--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/zip\n--x\nContent-Type: text/plain\n\n\n--x\nContent-Disposition: attachment\n\n\n\n--x\n\nlast\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: application/pdf\n\nnever closed\n",
		"Content-Type: multipart/mixed; boundary=\"never\"\n\n--x\nContent-Type: application/pdf\n\nall text\n",
		"Content-Type: multipart/mixed\n\n--x\nContent-Type: application/pdf\n\nno boundary param\n",
		"Content-Type: application/pdf\n\nroot is an attachment\n",
		"Content-Type: text/plain; name=\"a.txt\"\n\nroot text attachment\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\r\nContent-Type: text/plain; name=\"a.txt\"\r\nContent-Disposition: inline\r\n\r\ninline named text\r\n--x\r\nContent-Type: text/html; charset=gbk\r\nContent-Disposition: attachment\r\n\r\n<b>att</b>\r\n--x--\r\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: message/rfc822\n\nSubject: hi\n\n--x\nhidden\n--x\n\nvisible\n--x--\n",
		"Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: bogus\n\nmalformed type is text\n--x\nContent-Type: application/octet-stream\n\n" + strings.Repeat("A", 100) + "\n--x--\n",
		"\n\nbody with no header\n",
		"Subject: only a header",
		"Subject: x\nContent-Type: multipart/mixed; boundary=" + strings.Repeat("b", 90) + "\n\n--" + strings.Repeat("b", 90) + "\nContent-Type: application/zip\n\n--" + strings.Repeat("b", 89) + "\n--" + strings.Repeat("b", 90) + "--\n",
		deep,
	}
}

func FuzzSkim(f *testing.F) {
	for _, c := range skimCases() {
		f.Add([]byte(c), 0)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.eml"))
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, 3)
	}
	f.Fuzz(func(t *testing.T, raw []byte, size int) {
		checkSkim(t, "fuzz", raw, 16+size%64)
	})
}

// BenchmarkIndexText compares the two ways to a message's index text over
// 1,000 corpus messages (two with a large attachment): Parse of the whole
// message, and Skim of a stream of it.
func BenchmarkIndexText(b *testing.B) {
	var raws [][]byte
	err := corpus.Each(corpus.Options{Seed: 1, Messages: 1000, LargeEvery: 500, Malformed: true}, func(m corpus.Message) error {
		raws = append(raws, m.Raw)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, raw := range raws {
				if _, err := Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("skim", func(b *testing.B) {
		b.ReportAllocs()
		var s Skimmer
		for b.Loop() {
			for _, raw := range raws {
				if _, err := s.Skim(bytes.NewReader(raw)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
