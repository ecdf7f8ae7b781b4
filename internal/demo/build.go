package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// showMessage is one hand-written message and where it goes.
type showMessage struct {
	folder string
	raw    []byte
	flags  []imap.Flag
	date   time.Time // INTERNALDATE
}

// person is a display name and address.
type person struct{ name, addr string }

// header renders p as an RFC 5322 mailbox, the name as an RFC 2047 word
// when it is not ASCII.
func (p person) header() string {
	return (&mail.Address{Name: p.name, Address: p.addr}).String()
}

func list(ps ...person) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.header()
	}
	return strings.Join(out, ", ")
}

// letter is a message before rendering. Header values in extra are
// written as given (already encoded).
type letter struct {
	from          person
	to, cc        []person
	subject       string // UTF-8; encoded as RFC 2047 B words when not ASCII
	rawSubject    string // when set, the Subject header as written
	fromRaw       string // when set, the From header as written
	date          time.Time
	id, inReplyTo string
	refs          []string
	extra         [][2]string
	// contentType and cte head the body; body is the encoded body with
	// "\n" line ends (turned into CRLF).
	contentType, cte string
	body             string
}

// render writes the letter with CRLF line ends.
func (l letter) render() []byte {
	var b strings.Builder
	h := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	if l.fromRaw != "" {
		h("From", l.fromRaw)
	} else {
		h("From", l.from.header())
	}
	h("To", list(l.to...))
	if len(l.cc) > 0 {
		h("Cc", list(l.cc...))
	}
	if l.rawSubject != "" {
		h("Subject", l.rawSubject)
	} else {
		h("Subject", mime.BEncoding.Encode("UTF-8", l.subject))
	}
	h("Date", l.date.Format(time.RFC1123Z))
	h("Message-ID", "<"+l.id+">")
	if l.inReplyTo != "" {
		h("In-Reply-To", "<"+l.inReplyTo+">")
		h("References", "<"+strings.Join(l.refs, "> <")+">")
	}
	for _, e := range l.extra {
		h(e[0], e[1])
	}
	h("MIME-Version", "1.0")
	h("Content-Type", l.contentType)
	if l.cte != "" {
		h("Content-Transfer-Encoding", l.cte)
	}
	b.WriteString("\r\n")
	b.WriteString(crlf(l.body))
	return []byte(b.String())
}

// crlf turns "\n" line ends into CRLF and ends the text with one.
func crlf(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	if !strings.HasSuffix(s, "\r\n") {
		s += "\r\n"
	}
	return s
}

// plainUTF8 is a text/plain UTF-8 body sent as 8bit.
func (l letter) plainUTF8(text string) letter {
	l.contentType, l.cte, l.body = "text/plain; charset=UTF-8; format=flowed", "8bit", text
	return l
}

// reply makes a reply to l from → to, threaded under it.
func (l letter) reply(from person, to, cc []person, prefix string, date time.Time, id string) letter {
	refs := append(append([]string{}, l.refs...), l.id)
	return letter{from: from, to: to, cc: cc, subject: prefix + baseSubject(l.subject), date: date,
		id: id, inReplyTo: l.id, refs: refs}
}

func baseSubject(s string) string {
	for {
		t := strings.TrimSpace(s)
		for _, p := range []string{"Re:", "RE:", "回复：", "答复："} {
			t = strings.TrimPrefix(t, p)
		}
		t = strings.TrimSpace(t)
		if t == strings.TrimSpace(s) {
			return t
		}
		s = t
	}
}

// gbk encodes UTF-8 text as GBK. The showcase texts only hold characters
// GBK has, so a failure is a bug in them.
func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("demo: %q is not GBK: %v", s, err))
	}
	return b
}

// gbkWord is s as an RFC 2047 B word in GBK.
func gbkWord(s string) string {
	return "=?GBK?B?" + base64.StdEncoding.EncodeToString(gbk(s)) + "?="
}

// base64Body is data in base64 lines of 76 characters.
func base64Body(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return b.String()
}

// qp is s quoted-printable encoded (RFC 2045 §6.7).
func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(crlf(s)))
	_ = w.Close()
	return b.String()
}

// mimeWord is s as RFC 2047 B words in UTF-8 (s itself when ASCII).
func mimeWord(s string) string { return mime.BEncoding.Encode("UTF-8", s) }

// rfc2231 is a parameter in RFC 2231 extended form, UTF-8.
func rfc2231(param, value string) string {
	var b strings.Builder
	for _, c := range []byte(value) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return param + "*=UTF-8''" + b.String()
}

// samplePDF is a small, valid one-page PDF (PDF 1.4, ISO 32000-1 §7.5) with
// one line of text.
func samplePDF(text string) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
	stream := "BT /F1 18 Tf 72 760 Td (" + text + ") Tj ET"
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}
