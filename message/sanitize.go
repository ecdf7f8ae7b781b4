package message

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitising policy (the one place that decides what mail text may reach a
// terminal; every package uses these functions before printing mail content).
//
// Removed, always:
//   - terminal escape sequences, whole: CSI (ESC [ … final byte, and the C1
//     form U+009B), OSC (ESC ] … BEL/ST, and U+009D) — which covers OSC 0/2
//     titles, OSC 8 hyperlinks and OSC 52 clipboard writes —, DCS (ESC P,
//     U+0090), SOS (ESC X, U+0098), PM (ESC ^, U+009E), APC (ESC _, U+009F),
//     and single ESC sequences (ESC, intermediates 0x20–0x2F, final byte).
//     A string sequence (OSC/DCS/SOS/PM/APC) with no terminator loses only
//     its introducer: its payload is kept as plain, harmless text so that a
//     hostile message cannot hide the rest of itself;
//   - every other C1 control (U+0080–U+009F), C0 control except '\n' and
//     '\t', and DEL. "\r\n" and a lone '\r' become '\n' (a bare carriage
//     return could otherwise overwrite what was already shown);
//   - bidi embeddings, overrides and isolates: U+202A–U+202E, U+2066–U+2069
//     (the "invoice\u202Efdp.exe" trick). The marks LRM, RLM and ALM
//     (U+200E, U+200F, U+061C) are kept: they reorder nothing beyond
//     neutral characters and real Arabic/Hebrew text needs them;
//   - invisible characters that serve spoofing: U+200B (ZWSP), U+2060 (WJ),
//     U+FEFF (BOM/ZWNBSP), U+180E, U+2061–U+2064, U+115F/U+1160/U+3164/U+FFA0
//     (Hangul fillers); a zero-width joiner U+200D is kept only between two
//     emoji-like symbols (👨‍👩‍👧), a zero-width non-joiner U+200C only between
//     two letters (Persian, Indic scripts); Unicode tag characters
//     (U+E0000–U+E007F) are kept only inside an emoji tag sequence that
//     starts with U+1F3F4 (subdivision flags);
//   - invalid UTF-8: each bad byte becomes U+FFFD, so the result is always
//     valid UTF-8 (a raw 0x9B byte cannot act as an 8-bit CSI).
//
// U+2028 and U+2029 become '\n'.

// SanitizeText returns s made safe to print on a terminal, keeping line
// breaks ('\n') and tabs. See the policy above. It is pure and safe for
// concurrent use.
func SanitizeText(s string) string {
	return sanitize(s, false)
}

// SanitizeLine is SanitizeText for one-line displays (subjects, names,
// list cells): line breaks and tabs become a single space each, and the
// result is trimmed of surrounding white space.
func SanitizeLine(s string) string {
	return strings.TrimSpace(sanitize(s, true))
}

const (
	esc = 0x1b
	bel = 0x07
)

// sanitize implements SanitizeText and SanitizeLine.
func sanitize(s string, oneLine bool) string {
	if isPlainSafe(s) {
		if oneLine && strings.ContainsAny(s, "\n\t") {
			return strings.Map(func(r rune) rune {
				if r == '\n' || r == '\t' {
					return ' '
				}
				return r
			}, s)
		}
		return s
	}
	runes := decodeRunes(s)
	var b strings.Builder
	b.Grow(len(s))
	newline := func() {
		if oneLine {
			b.WriteByte(' ')
		} else {
			b.WriteByte('\n')
		}
	}
	var prev rune // last rune written, for ZWJ/ZWNJ/tag context
	inTags := false
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case r == esc:
			i = skipEscape(runes, i)
			continue
		case r == 0x9b: // C1 CSI
			i = skipCSI(runes, i+1)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // C1 string introducers
			if end, ok := findStringTerminator(runes, i+1); ok {
				i = end
			}
			continue
		case r == '\r':
			if i+1 < len(runes) && runes[i+1] == '\n' {
				i++
			}
			newline()
			prev = '\n'
			continue
		case r == '\n' || r == 0x2028 || r == 0x2029:
			newline()
			prev = '\n'
			continue
		case r == '\t':
			if oneLine {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\t')
			}
			prev = r
			continue
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			continue
		case isBidiControl(r) || isSpoofInvisible(r):
			continue
		case r == 0x200d: // ZWJ
			if !(isEmojiLike(prev) && i+1 < len(runes) && isEmojiLike(runes[i+1])) {
				continue
			}
		case r == 0x200c: // ZWNJ
			if !(unicode.IsLetter(prev) && prev > 0x7f && i+1 < len(runes) && unicode.IsLetter(runes[i+1])) {
				continue
			}
		case r >= 0xe0000 && r <= 0xe007f: // tag characters
			if !(inTags || prev == 0x1f3f4) || r == 0xe0001 {
				continue
			}
			inTags = r != 0xe007f
			b.WriteRune(r)
			prev = r
			continue
		}
		inTags = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// isPlainSafe reports whether s is valid UTF-8 with no rune that sanitize
// would change other than '\n' and '\t' (a fast path for ordinary text).
func isPlainSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return isPlainSafeRunes(s[i:])
		}
		if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

func isPlainSafeRunes(s string) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return false // may be an invalid byte; let the slow path decide
		case r < 0x20 && r != '\n' && r != '\t', r >= 0x7f && r <= 0x9f:
			return false
		case r == 0x2028 || r == 0x2029 || r == 0x200c || r == 0x200d:
			return false
		case isBidiControl(r) || isSpoofInvisible(r), r >= 0xe0000 && r <= 0xe007f:
			return false
		}
	}
	return true
}

// decodeRunes decodes s, turning each invalid byte into U+FFFD.
func decodeRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s { // range yields U+FFFD per invalid byte
		out = append(out, r)
	}
	return out
}

// skipEscape skips the ESC-introduced sequence starting at runes[i] (which
// is ESC) and returns the index of its last rune.
func skipEscape(runes []rune, i int) int {
	if i+1 >= len(runes) {
		return i
	}
	switch runes[i+1] {
	case '[':
		return skipCSI(runes, i+2)
	case ']', 'P', 'X', '^', '_':
		if end, ok := findStringTerminator(runes, i+2); ok {
			return end
		}
		return i + 1 // unterminated: drop the introducer only
	}
	// nF/Fp/Fe/Fs: ESC, intermediates 0x20–0x2F, one final byte 0x30–0x7E.
	j := i + 1
	for j < len(runes) && runes[j] >= 0x20 && runes[j] <= 0x2f {
		j++
	}
	if j < len(runes) && runes[j] >= 0x30 && runes[j] <= 0x7e {
		return j
	}
	return j - 1 // malformed: drop ESC and the intermediates seen
}

// skipCSI skips a control sequence whose parameters start at runes[j]
// (ECMA-48 §5.4: parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one
// final byte 0x40–0x7E) and returns the index of its last rune. A sequence
// broken by any other rune ends just before it.
func skipCSI(runes []rune, j int) int {
	for j < len(runes) && runes[j] >= 0x30 && runes[j] <= 0x3f {
		j++
	}
	for j < len(runes) && runes[j] >= 0x20 && runes[j] <= 0x2f {
		j++
	}
	if j < len(runes) && runes[j] >= 0x40 && runes[j] <= 0x7e {
		return j
	}
	return j - 1
}

// findStringTerminator finds the end of a control string whose payload
// starts at runes[j]: BEL, ESC \, or ST (U+009C). It returns the index of
// the terminator's last rune.
func findStringTerminator(runes []rune, j int) (int, bool) {
	for ; j < len(runes); j++ {
		switch runes[j] {
		case bel, 0x9c:
			return j, true
		case esc:
			if j+1 < len(runes) && runes[j+1] == '\\' {
				return j + 1, true
			}
		}
	}
	return 0, false
}

// isBidiControl reports the bidi embeddings, overrides and isolates.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// isBidiMark reports LRM, RLM and ALM.
func isBidiMark(r rune) bool {
	return r == 0x200e || r == 0x200f || r == 0x061c
}

// isSpoofInvisible reports invisible characters that are always removed.
func isSpoofInvisible(r rune) bool {
	switch r {
	case 0x200b, 0x2060, 0xfeff, 0x180e, 0x115f, 0x1160, 0x3164, 0xffa0:
		return true
	}
	return r >= 0x2061 && r <= 0x2064
}

// isEmojiLike reports runes that take part in emoji ZWJ sequences: symbols,
// emoji presentation and modifiers, and the variation selector-16.
func isEmojiLike(r rune) bool {
	if r == 0xfe0f || r == 0x2640 || r == 0x2642 || r == 0x2695 || r == 0x2764 {
		return true
	}
	if r >= 0x1f000 && r <= 0x1faff {
		return true
	}
	return r > 0x7f && unicode.Is(unicode.So, r)
}
