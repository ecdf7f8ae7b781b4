// Package common holds what every TUI component shares: the styles, the key
// map and the printer (Common), the component contract, and the cell-width
// helpers that keep CJK columns aligned.
package common

import (
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/ui/i18n"
	"github.com/magpie-mail/magpie/ui/keymap"
	"github.com/magpie-mail/magpie/ui/styles"
)

// Common is what the root hands every component. The root owns it and
// replaces Styles when the terminal reports its background; components only
// read it.
type Common struct {
	Styles styles.Styles
	Keys   keymap.KeyMap
	P      *i18n.Printer
}

// New returns a Common with dark styles (the default until the terminal
// answers) and the key map in p's language.
func New(p *i18n.Printer) *Common {
	return &Common{Styles: styles.New(true), Keys: keymap.New(p), P: p}
}

// Component is the contract of every component: only the root returns a
// tea.View; components render strings of exactly their size.
type Component[T any] interface {
	help.KeyMap
	Init() tea.Cmd
	Update(tea.Msg) (T, tea.Cmd)
	View() string
	SetSize(width, height int)
}

// Ellipsis ends a cut text. It is ASCII on purpose: "…" has East Asian
// ambiguous width and is drawn two cells wide by many CJK terminals, which
// would break the columns.
const Ellipsis = ".."

// Clean makes a one-line string from mail safe for the terminal: escape
// sequences, control characters and bidi overrides are removed.
func Clean(s string) string { return message.SanitizeLine(s) }

// Fit cuts s to at most w cells (ending in Ellipsis when cut) and pads it
// with spaces to exactly w cells. Width is counted in terminal cells, so a
// Chinese character counts two and is never split.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		if w <= len(Ellipsis) {
			s = ansi.Truncate(s, w, "")
		} else {
			s = ansi.Truncate(s, w, Ellipsis)
		}
		sw = Width(s)
	}
	if pad := w - sw; pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// FitLeft is Fit aligned right: padding goes before s.
func FitLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw > w {
		return Fit(s, w)
	}
	return strings.Repeat(" ", w-sw) + s
}

// Width is the width of s in terminal cells (ansi.StringWidth), counted
// byte by byte when s is printable ASCII: most of a screen is, and
// grapheme segmentation is the most expensive part of drawing a frame.
func Width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Paint is style.Render for a line that is already exactly as wide as it
// should be: the style's sequences are worked out once for a whole screen
// of lines instead of lipgloss measuring every line again. It suits styles
// of colours and attributes only (no width, padding, margins or borders).
type Paint struct{ pre, post string }

// NewPaint works out style's opening and closing sequences.
func NewPaint(style lipgloss.Style) Paint {
	const probe = "\x00"
	r := style.Render(probe)
	i := strings.Index(r, probe)
	if i < 0 { // cannot happen for colours and attributes; stay correct anyway
		return Paint{}
	}
	return Paint{pre: r[:i], post: r[i+len(probe):]}
}

// Render wraps line in the style's sequences.
func (p Paint) Render(line string) string {
	if p.pre == "" && p.post == "" {
		return line
	}
	return p.pre + line + p.post
}

// Block pads or cuts lines to exactly h lines of w cells each.
func Block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = FitStyled(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return strings.Join(out, "\n")
}

// FitStyled is Fit for a string that may already carry style sequences.
func FitStyled(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := Width(s)
	if sw == w {
		return s
	}
	if sw > w {
		s = ansi.Truncate(s, w, "")
		sw = ansi.StringWidth(s)
	}
	return s + strings.Repeat(" ", w-sw)
}

// InView is the first of rows lines on screen of a scrolled list, from
// the last one (offset), moved as little as keeps the cursor in view; a
// negative cursor (nothing selected) moves nothing.
func InView(cursor, offset, rows int) int {
	rows = max(rows, 1)
	if cursor >= 0 && cursor < offset {
		offset = cursor
	}
	if cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return max(offset, 0)
}
