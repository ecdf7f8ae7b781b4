package composer

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/components/common"
)

// editor is the built-in body editor: lines of runes and a cursor. It is
// deliberately small (typing, paste, Enter, Backspace, arrows, Home/End);
// $EDITOR is there for more.
type editor struct {
	lines    [][]rune
	row, col int
	top      int // first line shown
}

func newEditor(text string) editor {
	e := editor{}
	e.set(text)
	return e
}

// set replaces the text and puts the cursor at its start.
func (e *editor) set(text string) {
	e.lines = nil
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		e.lines = append(e.lines, []rune(l))
	}
	e.row, e.col, e.top = 0, 0, 0
}

func (e *editor) text() string {
	parts := make([]string, len(e.lines))
	for i, l := range e.lines {
		parts[i] = string(l)
	}
	return strings.Join(parts, "\n")
}

// insert types s at the cursor; newlines split the line.
func (e *editor) insert(s string) {
	for _, r := range s {
		switch {
		case r == '\n':
			e.newline()
		case r == '\t':
			e.insertRune(' ')
		case r < 0x20 || r == 0x7f:
		default:
			e.insertRune(r)
		}
	}
}

func (e *editor) insertRune(r rune) {
	l := e.lines[e.row]
	l = append(l[:e.col], append([]rune{r}, l[e.col:]...)...)
	e.lines[e.row] = l
	e.col++
}

func (e *editor) newline() {
	l := e.lines[e.row]
	rest := append([]rune{}, l[e.col:]...)
	e.lines[e.row] = l[:e.col]
	e.lines = append(e.lines[:e.row+1], append([][]rune{rest}, e.lines[e.row+1:]...)...)
	e.row, e.col = e.row+1, 0
}

func (e *editor) backspace() {
	switch {
	case e.col > 0:
		l := e.lines[e.row]
		e.lines[e.row] = append(l[:e.col-1], l[e.col:]...)
		e.col--
	case e.row > 0:
		prev := e.lines[e.row-1]
		e.col = len(prev)
		e.lines[e.row-1] = append(prev, e.lines[e.row]...)
		e.lines = append(e.lines[:e.row], e.lines[e.row+1:]...)
		e.row--
	}
}

// move handles the cursor keys; it reports whether key was one.
func (e *editor) move(key string) bool {
	switch key {
	case "left":
		if e.col > 0 {
			e.col--
		} else if e.row > 0 {
			e.row--
			e.col = len(e.lines[e.row])
		}
	case "right":
		if e.col < len(e.lines[e.row]) {
			e.col++
		} else if e.row < len(e.lines)-1 {
			e.row, e.col = e.row+1, 0
		}
	case "up":
		if e.row > 0 {
			e.row--
			e.col = min(e.col, len(e.lines[e.row]))
		}
	case "down":
		if e.row < len(e.lines)-1 {
			e.row++
			e.col = min(e.col, len(e.lines[e.row]))
		}
	case "home", "ctrl+a":
		e.col = 0
	case "end":
		e.col = len(e.lines[e.row])
	default:
		return false
	}
	return true
}

// view draws h lines of w cells, scrolled so the cursor shows; the
// cursor cell is drawn with cursor.
func (e *editor) view(w, h int, focused bool, cursor func(string) string) []string {
	if h <= 0 {
		return nil
	}
	if e.row < e.top {
		e.top = e.row
	}
	if e.row >= e.top+h {
		e.top = e.row - h + 1
	}
	out := make([]string, 0, h)
	for i := e.top; i < len(e.lines) && len(out) < h; i++ {
		l := e.lines[i]
		if !focused || i != e.row {
			out = append(out, common.Fit(string(l), w))
			continue
		}
		before, at, after := string(l[:e.col]), " ", ""
		if e.col < len(l) {
			at, after = string(l[e.col]), string(l[e.col+1:])
		}
		// Keep the cursor in view on a long line: drop cells on the left.
		if bw := ansi.StringWidth(before) + ansi.StringWidth(at); bw > w {
			before = ansi.TruncateLeft(before, bw-w, "")
		}
		out = append(out, common.FitStyled(before+cursor(at)+after, w))
	}
	return out
}
