package message

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func sanitizeCases() []struct{ name, in, text, line string } {
	return []struct{ name, in, text, line string }{
		{"plain", "hello 你好", "hello 你好", "hello 你好"},
		{"newlines and tabs", "a\n\tb\n", "a\n\tb\n", "a  b"},
		{"crlf and lone cr", "a\r\nb\rc", "a\nb\nc", "a b c"},
		{"osc title bel", "\x1b]0;pwned\x07Hello", "Hello", "Hello"},
		{"osc title st", "\x1b]2;pwned\x1b\\Hello", "Hello", "Hello"},
		{"clear screen", "x\x1b[2Jy", "xy", "xy"},
		{"sgr", "\x1b[1;31mred\x1b[0m", "red", "red"},
		{"csi private", "\x1b[?1049hx\x1b[?25l", "x", "x"},
		{"osc 8 hyperlink", "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\", "click", "click"},
		{"osc 52 clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07ok", "ok", "ok"},
		{"dcs", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab", "ab"},
		{"apc pm sos", "a\x1b_apc\x1b\\b\x1b^pm\x1b\\c\x1bXsos\x1b\\d", "abcd", "abcd"},
		{"single esc", "a\x1b7b\x1b(Bc\x1bcd", "abcd", "abcd"},
		{"esc at end", "abc\x1b", "abc", "abc"},
		{"unterminated osc keeps payload", "a\x1b]0;title", "a0;title", "a0;title"},
		{"c1 csi rune", "a\u009b31mb", "ab", "ab"},
		{"c1 osc rune", "a\u009d0;t\u009cb", "ab", "ab"},
		{"other c1", "a\u0085b\u008dc", "abc", "abc"},
		{"raw 0x9b byte", "a\x9b2Jb", "a\uFFFD2Jb", "a\uFFFD2Jb"},
		{"c0 controls", "a\x00b\x07c\x08d\x7fe", "abcde", "abcde"},
		{"bidi override", "invoice\u202Efdp.exe", "invoicefdp.exe", "invoicefdp.exe"},
		{"bidi isolates", "\u2066a\u2067b\u2068c\u2069", "abc", "abc"},
		{"bidi marks kept", "a\u200Eb\u200Fc", "a\u200Eb\u200Fc", "a\u200Eb\u200Fc"},
		{"zero width", "pay\u200Bpal\u2060\uFEFF", "paypal", "paypal"},
		{"zwj in emoji kept", "👨\u200D👩\u200D👧", "👨\u200D👩\u200D👧", "👨\u200D👩\u200D👧"},
		{"zwj in latin removed", "a\u200Db", "ab", "ab"},
		{"zwnj in persian kept", "می\u200Cخواهم", "می\u200Cخواهم", "می\u200Cخواهم"},
		{"zwnj in latin removed", "a\u200Cb", "ab", "ab"},
		{"tag smuggling removed", "hi\U000E0041\U000E0042", "hi", "hi"},
		{"flag tag sequence kept", "\U0001F3F4\U000E0067\U000E0062\U000E007F", "\U0001F3F4\U000E0067\U000E0062\U000E007F", "\U0001F3F4\U000E0067\U000E0062\U000E007F"},
		{"line separator", "a\u2028b", "a\nb", "a b"},
	}
}

func TestSanitize(t *testing.T) {
	for _, c := range sanitizeCases() {
		t.Run(c.name, func(t *testing.T) {
			if got := SanitizeText(c.in); got != c.text {
				t.Errorf("SanitizeText(%q) = %q, want %q", c.in, got, c.text)
			}
			if got := SanitizeLine(c.in); got != c.line {
				t.Errorf("SanitizeLine(%q) = %q, want %q", c.in, got, c.line)
			}
			checkSafeText(t, SanitizeText(c.in), true)
			checkSafeText(t, SanitizeLine(c.in), false)
		})
	}
}

// checkSafeText asserts the sanitiser's invariants on its output.
func checkSafeText(t *testing.T, s string, multiLine bool) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("not valid UTF-8: %q", s)
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if !multiLine {
				t.Fatalf("line break or tab in one-line output %q", s)
			}
		case r < 0x20 || r == 0x7f:
			t.Fatalf("C0 control %U in %q", r, s)
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("C1 control %U in %q", r, s)
		case isBidiControl(r):
			t.Fatalf("bidi control %U in %q", r, s)
		case isSpoofInvisible(r):
			t.Fatalf("invisible %U in %q", r, s)
		}
	}
}

func TestSanitizeIdempotent(t *testing.T) {
	for _, c := range sanitizeCases() {
		once := SanitizeText(c.in)
		if twice := SanitizeText(once); twice != once {
			t.Errorf("SanitizeText not idempotent on %q: %q then %q", c.in, once, twice)
		}
	}
}

func TestSanitizeLongInput(t *testing.T) {
	in := strings.Repeat("\x1b[31m長\x1b]0;x\x07", 10000)
	got := SanitizeLine(in)
	if got != strings.Repeat("長", 10000) {
		t.Fatalf("unexpected result of length %d", len(got))
	}
}
