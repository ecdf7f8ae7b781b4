package message

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// problems collects what went wrong while reading one message. It belongs to
// one Parse call and is never shared.
type problems struct {
	list []string
	seen map[string]bool
}

func (p *problems) add(format string, args ...any) {
	if len(p.list) >= maxProblems {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if p.seen == nil {
		p.seen = make(map[string]bool)
	}
	if p.seen[msg] {
		return
	}
	p.seen[msg] = true
	p.list = append(p.list, SanitizeLine(msg))
}

// maxProblems bounds the problems recorded for one message.
const maxProblems = 50

// normalizeCharset lower-cases a charset label and strips quotes, spaces and
// RFC 2231 language suffixes ("utf-8*zh").
func normalizeCharset(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if i := strings.IndexAny(label, "*; \t"); i >= 0 {
		label = label[:i] // "utf-8*zh" (RFC 2231), "utf-8; format=flowed" (a lost quote)
	}
	return label
}

// chineseEncoding returns GB18030 for every simplified-Chinese label (GB18030
// is a superset of GBK and GB2312, so mail misdeclared as gb2312 that holds
// GBK-only characters still decodes) and Big5 for Big5 labels.
func chineseEncoding(label string) encoding.Encoding {
	switch label {
	case "gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "csgb2312", "gb_2312-80", "x-euc-cn", "ms936", "windows-936", "chinese", "iso-ir-58", "csiso58gb231280":
		return simplifiedchinese.GB18030
	case "big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5", "cp950", "x-big5":
		return traditionalchinese.Big5
	}
	return nil
}

// decodeCharset decodes b from the named charset into UTF-8. It never fails:
// an empty, ASCII or UTF-8 label takes b as UTF-8 (guessing GB18030 when b is
// not valid UTF-8), and an unknown charset is recorded in probs and guessed
// the same way. Undecodable bytes become U+FFFD.
func decodeCharset(b []byte, label string, probs *problems) string {
	label = normalizeCharset(label)
	switch label {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unicode-1-1-utf-8", "x-unknown", "unknown-8bit", "default":
		if utf8.Valid(b) {
			return string(b)
		}
		s := guess8bit(b)
		if label == "utf-8" || label == "utf8" {
			probs.add("message: text declared %s is not valid UTF-8; decoded as a guess", label)
		} else if label != "" {
			probs.add("message: undeclared 8-bit text (charset %q); decoded as a guess", label)
		}
		return s
	}
	if enc := chineseEncoding(label); enc != nil {
		return decodeWith(enc, b)
	}
	r, err := charset.Reader(label, bytes.NewReader(b))
	if err != nil {
		probs.add("message: unknown charset %q", label)
		if utf8.Valid(b) {
			return string(b)
		}
		return guess8bit(b)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		probs.add("message: charset %q: %v", label, err)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// decodeWith decodes b with enc, replacing what cannot be decoded.
func decodeWith(enc encoding.Encoding, b []byte) string {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		// x/text decoders substitute U+FFFD rather than fail; be safe anyway.
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// guess8bit decodes bytes of an unknown 8-bit charset: GB18030 when that
// decodes without a replacement character (the common case in Chinese mail),
// else Big5 likewise, else Windows-1252.
func guess8bit(b []byte) string {
	if s := decodeWith(simplifiedchinese.GB18030, b); !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	if s := decodeWith(traditionalchinese.Big5, b); !strings.ContainsRune(s, utf8.RuneError) {
		return s
	}
	return decodeWith(charmap.Windows1252, b)
}

// headerText turns a raw header value into UTF-8: valid UTF-8 stays as it
// is (RFC 6532); other 8-bit bytes are decoded with hint (usually the
// message's body charset) or guessed, and recorded as a problem.
func headerText(raw, hint string, probs *problems) string {
	if utf8.ValidString(raw) {
		return raw
	}
	probs.add("message: 8-bit header without encoded-word")
	if hint = normalizeCharset(hint); hint != "" && hint != "utf-8" && hint != "us-ascii" {
		var scratch problems
		return decodeCharset([]byte(raw), hint, &scratch)
	}
	return guess8bit([]byte(raw))
}

// decodeWords decodes RFC 2047 encoded-words in s (which is already UTF-8).
// It is lenient where real mail is not compliant: encoded-words inside
// quoted strings or glued to other text are decoded, white space between
// adjacent encoded-words is dropped (RFC 2047 §6.2), and adjacent words in
// the same charset are joined before charset decoding, so a multi-byte
// character split across two words (common in GBK subjects) survives.
// Broken base64 or Q payloads decode as far as possible.
func decodeWords(s string, probs *problems) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	var out strings.Builder
	var pendCharset string
	var pend []byte
	flush := func() {
		if pend != nil {
			out.WriteString(decodeCharset(pend, pendCharset, probs))
			pend, pendCharset = nil, ""
		}
	}
	rest := s
	for {
		start, end, cs, payload, ok := nextEncodedWord(rest)
		if !ok {
			break
		}
		between := rest[:start]
		if pend == nil || strings.TrimSpace(between) != "" {
			flush()
			out.WriteString(between)
		}
		if pend != nil && cs != pendCharset {
			flush()
		}
		pendCharset = cs
		if pend == nil {
			pend = []byte{}
		}
		pend = append(pend, payload...)
		rest = rest[end:]
	}
	flush()
	out.WriteString(rest)
	return out.String()
}

// nextEncodedWord finds the next "=?charset?enc?text?=" in s and returns its
// byte range, its charset (normalised) and its decoded payload bytes.
func nextEncodedWord(s string) (start, end int, cs string, payload []byte, ok bool) {
	off := 0
	for {
		i := strings.Index(s[off:], "=?")
		if i < 0 {
			return 0, 0, "", nil, false
		}
		i += off
		q1 := strings.IndexByte(s[i+2:], '?')
		if q1 < 0 || q1 > 75 {
			off = i + 2
			continue
		}
		q1 += i + 2
		if q1+2 >= len(s) || s[q1+2] != '?' {
			off = i + 2
			continue
		}
		encByte := s[q1+1] | 0x20
		if encByte != 'b' && encByte != 'q' {
			off = i + 2
			continue
		}
		textStart := q1 + 3
		j := strings.Index(s[textStart:], "?=")
		if j < 0 {
			return 0, 0, "", nil, false
		}
		text := s[textStart : textStart+j]
		cs = normalizeCharset(s[i+2 : q1])
		if encByte == 'b' {
			payload, _ = lenientBase64([]byte(text))
		} else {
			payload = decodeQWord(text)
		}
		return i, textStart + j + 2, cs, payload, true
	}
}

// decodeQWord decodes RFC 2047 "Q" text: '_' is a space, =XX a byte, and a
// broken escape is kept literally.
func decodeQWord(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// lenientBase64 decodes base64 text ignoring anything outside the alphabet
// (line breaks, spaces, stray garbage) and missing or extra padding. ok is
// false when something had to be ignored or the data was cut short.
func lenientBase64(text []byte) (out []byte, ok bool) {
	clean := make([]byte, 0, len(text))
	ok = scanBase64(text, func(c byte) { clean = append(clean, c) })
	if rem := len(clean) % 4; rem == 1 {
		clean = clean[:len(clean)-1] // a lone sextet carries no whole byte
	}
	out = make([]byte, base64.RawStdEncoding.DecodedLen(len(clean)))
	n, err := base64.RawStdEncoding.Decode(out, clean)
	if err != nil {
		ok = false
	}
	return out[:n], ok
}

// lenientBase64Len is len(out) of lenientBase64(text), and the same ok,
// without decoding: an attachment's size is known without holding a
// decoded copy of it (a 5 MB attachment took ~9 MB to measure).
func lenientBase64Len(text []byte) (n int, ok bool) {
	ok = scanBase64(text, func(byte) { n++ })
	if n%4 == 1 {
		n--
	}
	return base64.RawStdEncoding.DecodedLen(n), ok
}

// scanBase64 passes each base64 character of text to keep, in the standard
// alphabet, skipping what lenientBase64 ignores. It reports false when
// something had to be ignored or repaired, or when the characters kept
// leave a lone sextet.
func scanBase64(text []byte, keep func(byte)) (ok bool) {
	ok = true
	padded := false
	n := 0
	for _, c := range text {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			if padded {
				ok = false // data after padding: a second, concatenated blob
				padded = false
			}
			keep(c)
			n++
		case c == '-' || c == '_': // URL-safe alphabet slipped in
			ok = false
			if c == '-' {
				c = '+'
			} else {
				c = '/'
			}
			keep(c)
			n++
		case c == '=':
			padded = true
		case c == ' ', c == '\t', c == '\r', c == '\n':
		default:
			ok = false
		}
	}
	if n%4 == 1 {
		ok = false
	}
	return ok
}

// lenientQP decodes quoted-printable body text (RFC 2045 §6.7): =XX escapes,
// soft line breaks ("=" at end of line, trailing white space allowed), and a
// broken escape kept literally with ok false.
func lenientQP(text []byte) (out []byte, ok bool) {
	out = make([]byte, 0, len(text))
	ok = true
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '=' {
			out = append(out, c)
			continue
		}
		if i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]) {
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
			continue
		}
		j := i + 1
		for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
			j++
		}
		if j == len(text) {
			i = j
			continue
		}
		if text[j] == '\n' {
			i = j
			continue
		}
		if text[j] == '\r' && j+1 < len(text) && text[j+1] == '\n' {
			i = j + 1
			continue
		}
		ok = false
		out = append(out, c)
	}
	return out, ok
}
