package common

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestFitIsCellExact(t *testing.T) {
	cases := []struct {
		in   string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"邮箱搬家", 8, "邮箱搬家"},
		{"邮箱搬家", 7, "邮箱.. "}, // a wide rune is never split
		{"邮箱搬家指南", 5, "邮.. "},
		{"abcdef", 2, "ab"},
		{"", 0, ""},
	}
	for _, c := range cases {
		got := Fit(c.in, c.w)
		if got != c.want || ansi.StringWidth(got) != c.w {
			t.Errorf("Fit(%q, %d) = %q (%d cells), want %q", c.in, c.w, got, ansi.StringWidth(got), c.want)
		}
	}
	if got := FitLeft("10:00", 10); got != "     10:00" {
		t.Errorf("FitLeft = %q", got)
	}
}

func TestCleanStripsEscapes(t *testing.T) {
	if got := Clean("\x1b[31mred\x1b[0m \u202eevil\u202c"); got != "red evil" {
		t.Errorf("Clean = %q", got)
	}
}
