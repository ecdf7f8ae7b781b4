package common

import (
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/styles"
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

// TestPaintIsRender: a Paint draws a line exactly as its style's Render
// does, for every style the message list paints with, in both themes.
func TestPaintIsRender(t *testing.T) {
	for _, dark := range []bool{true, false} {
		st := styles.New(dark)
		for _, s := range []lipgloss.Style{st.Row, st.RowUnread, st.RowSelected, st.Border, lipgloss.NewStyle()} {
			for _, line := range []string{"plain ascii  ", "张伟 关于第二季度 03-15", " >*!@ x"} {
				if got, want := NewPaint(s).Render(line), s.Render(line); got != want {
					t.Errorf("Paint %q, Render %q", got, want)
				}
			}
		}
	}
}

// TestWidthASCII: the ASCII fast path counts as ansi.StringWidth does.
func TestWidthASCII(t *testing.T) {
	for _, s := range []string{"", "abc", "a\tb", "张伟", "e\u0301", "\x1b[1mx\x1b[m", "~ }"} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestInViewKeepsTheCursorOnScreen(t *testing.T) {
	for _, c := range []struct{ cursor, offset, rows, want int }{
		{0, 0, 10, 0},  // at the top
		{9, 0, 10, 0},  // last row still in view
		{10, 0, 10, 1}, // one below: scroll by one
		{3, 5, 10, 3},  // above the window: it moves up to the cursor
		{-1, 4, 10, 4}, // nothing selected: nothing moves
		{5, 0, 0, 5},   // no room: one row, the cursor's
		{0, -2, 10, 0}, // never negative
	} {
		if got := InView(c.cursor, c.offset, c.rows); got != c.want {
			t.Errorf("InView(%d, %d, %d) = %d, want %d", c.cursor, c.offset, c.rows, got, c.want)
		}
	}
}
