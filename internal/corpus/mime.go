package corpus

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// crlf is the line end of everything generated.
const crlf = "\r\n"

// encoderFor returns the x/text encoding for a body charset label, nil for
// UTF-8 and US-ASCII.
func encoderFor(label string) encoding.Encoding {
	switch strings.ToLower(label) {
	case "gbk", "gb2312":
		return simplifiedchinese.GBK
	case "gb18030":
		return simplifiedchinese.GB18030
	case "big5":
		return traditionalchinese.Big5
	}
	return nil
}

// encodeText converts UTF-8 text to the charset's bytes. The pools only
// hold characters each charset can encode; anything else would be a bug in
// the pools, so it panics rather than producing a silently wrong corpus.
func encodeText(s, label string) []byte {
	enc := encoderFor(label)
	if enc == nil {
		return []byte(s)
	}
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(fmt.Sprintf("corpus: cannot encode %q as %s: %v", s, label, err))
	}
	return b
}

// encodeWord returns s as RFC 2047 encoded-words in the given charset, B
// encoding, at most about 75 characters per word, joined by folding white
// space. ASCII-only s is returned as is.
func encodeWord(s, label string, q bool) string {
	if isASCII(s) {
		return s
	}
	if encoderFor(label) == nil {
		enc := mime.BEncoding
		if q {
			enc = mime.QEncoding
		}
		// mime's encoder separates words by a space; fold there instead.
		return strings.ReplaceAll(enc.Encode("UTF-8", s), "?= =?", "?="+crlf+" =?")
	}
	var words []string
	var chunk strings.Builder
	n := 0
	flush := func() {
		if chunk.Len() > 0 {
			b := encodeText(chunk.String(), label)
			words = append(words, "=?"+label+"?B?"+base64.StdEncoding.EncodeToString(b)+"?=")
			chunk.Reset()
			n = 0
		}
	}
	for _, r := range s {
		chunk.WriteRune(r)
		n++
		if n == 15 {
			flush()
		}
	}
	flush()
	return strings.Join(words, crlf+" ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// mailbox formats "Name <addr>" with the name encoded as needed.
func mailbox(p person, label string, q bool) string {
	if isASCII(p.name) {
		return `"` + p.name + `" <` + p.addr + ">"
	}
	return encodeWord(p.name, label, q) + " <" + p.addr + ">"
}

// base64Lines encodes b as base64 in 76-character CRLF lines.
func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	out.Grow(len(enc) + len(enc)/76*2 + 2)
	for len(enc) > 76 {
		out.WriteString(enc[:76])
		out.WriteString(crlf)
		enc = enc[76:]
	}
	out.WriteString(enc)
	out.WriteString(crlf)
	return out.Bytes()
}

// qpLines encodes b as quoted-printable with CRLF line ends.
func qpLines(b []byte) []byte {
	var out bytes.Buffer
	w := quotedprintable.NewWriter(&out)
	// The writer treats input CRLF as hard line breaks and emits CRLF.
	if _, err := w.Write(b); err != nil {
		panic(fmt.Sprintf("corpus: quoted-printable: %v", err))
	}
	if err := w.Close(); err != nil {
		panic(fmt.Sprintf("corpus: quoted-printable: %v", err))
	}
	if !bytes.HasSuffix(out.Bytes(), []byte(crlf)) {
		out.WriteString(crlf)
	}
	return out.Bytes()
}

// wrapText breaks each line of s at width runes and joins lines with CRLF,
// ending with CRLF. CJK text has no spaces, so it is cut by rune count.
func wrapText(s string, width int) string {
	var out strings.Builder
	for _, line := range strings.Split(s, "\n") {
		for utf8.RuneCountInString(line) > width {
			cut := runeOffset(line, width)
			if sp := strings.LastIndexByte(line[:cut], ' '); sp > cut/2 && isASCII(line[:cut]) {
				cut = sp + 1
			}
			out.WriteString(strings.TrimRight(line[:cut], " "))
			out.WriteString(crlf)
			line = line[cut:]
		}
		out.WriteString(line)
		out.WriteString(crlf)
	}
	return out.String()
}

func runeOffset(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}

// rfc2231 returns Content-Disposition filename parameters for name in
// RFC 2231 form (UTF-8, percent-encoded), split into continuations when
// long, plus, when legacy is set, a plain RFC 2047 filename first for old
// readers.
func rfc2231(param, name string) string {
	var enc strings.Builder
	for _, b := range []byte(name) {
		if b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("-._~", b) >= 0) {
			enc.WriteByte(b)
		} else {
			fmt.Fprintf(&enc, "%%%02X", b)
		}
	}
	s := enc.String()
	if len(s) <= 60 {
		return param + "*=UTF-8''" + s
	}
	var parts []string
	for k := 0; len(s) > 0; k++ {
		cut := min(45, len(s))
		for cut < len(s) && (s[cut-1] == '%' || (cut >= 2 && s[cut-2] == '%')) {
			cut++ // never split a %XX escape
		}
		prefix := ""
		if k == 0 {
			prefix = "UTF-8''"
		}
		parts = append(parts, fmt.Sprintf("%s*%d*=%s%s", param, k, prefix, s[:cut]))
		s = s[cut:]
	}
	return strings.Join(parts, ";"+crlf+" ")
}
