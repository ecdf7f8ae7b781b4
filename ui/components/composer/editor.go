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
	top      int // first screen row shown
	width    int // the width last drawn at (0: none yet): up and down move by its rows
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

// move handles the cursor keys; it reports whether key was one. Up and
// down move by screen rows of the soft-wrapped text (as last drawn).
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
		e.vertical(-1)
	case "down":
		e.vertical(1)
	case "home", "ctrl+a":
		e.col = 0
	case "end":
		e.col = len(e.lines[e.row])
	default:
		return false
	}
	return true
}

// atTop reports whether the cursor is on the first screen row.
func (e *editor) atTop() bool {
	return e.row == 0 && segmentOf(wrapLine(e.lines[0], e.width), e.col) == 0
}

// vertical moves the cursor one screen row up (-1) or down (1), keeping
// its cell column where the row is long enough.
func (e *editor) vertical(d int) {
	segs := wrapLine(e.lines[e.row], e.width)
	si := segmentOf(segs, e.col)
	l := e.lines[e.row]
	cells := ansi.StringWidth(string(l[segs[si][0]:e.col]))
	row, seg := e.row, si+d
	if seg < 0 || seg >= len(segs) {
		row += d
		if row < 0 || row >= len(e.lines) {
			return
		}
		segs = wrapLine(e.lines[row], e.width)
		seg = 0
		if d < 0 {
			seg = len(segs) - 1
		}
	}
	l = e.lines[row]
	col, w := segs[seg][0], 0
	for col < segs[seg][1] {
		rw := ansi.StringWidth(string(l[col]))
		if w+rw > cells {
			break
		}
		w += rw
		col++
	}
	if seg < len(segs)-1 && col == segs[seg][1] && col > segs[seg][0] {
		col-- // the end of a wrapped row is the start of the next one
	}
	e.row, e.col = row, col
}

// wrapLine cuts a line into screen rows of at most w cells: at the last
// space that fits, else (CJK text, long words) before the rune that does
// not fit. It returns [start, end) rune ranges; an empty line is one row.
// w <= 0 means no wrapping.
func wrapLine(l []rune, w int) [][2]int {
	if w <= 0 || len(l) == 0 {
		return [][2]int{{0, len(l)}}
	}
	var out [][2]int
	start, cells, space := 0, 0, -1
	for i := 0; i < len(l); i++ {
		rw := ansi.StringWidth(string(l[i]))
		if cells+rw > w && i > start {
			end := i
			if space > start {
				end = space + 1
			}
			out = append(out, [2]int{start, end})
			start, space = end, -1
			cells = ansi.StringWidth(string(l[start:i]))
		}
		if l[i] == ' ' {
			space = i
		}
		cells += rw
	}
	return append(out, [2]int{start, len(l)})
}

// segmentOf is the row of segs holding rune index col (a boundary belongs
// to the row it starts).
func segmentOf(segs [][2]int, col int) int {
	for i, s := range segs {
		if col < s[1] || i == len(segs)-1 {
			return i
		}
	}
	return 0
}

// view draws h lines of w cells, long lines soft-wrapped, scrolled so the
// cursor shows; the cursor cell is drawn with cursor.
func (e *editor) view(w, h int, focused bool, cursor func(string) string) []string {
	if h <= 0 || w <= 0 {
		return nil
	}
	e.width = w
	type vrow struct{ line, start, end int }
	var rows []vrow
	cur := 0
	for i, l := range e.lines {
		segs := wrapLine(l, w)
		if i == e.row {
			si := segmentOf(segs, e.col)
			last := segs[len(segs)-1]
			if e.col == len(l) && ansi.StringWidth(string(l[last[0]:last[1]])) >= w {
				segs = append(segs, [2]int{len(l), len(l)}) // room for the cursor after a full row
				si = len(segs) - 1
			}
			cur = len(rows) + si
		}
		for _, s := range segs {
			rows = append(rows, vrow{i, s[0], s[1]})
		}
	}
	if cur < e.top {
		e.top = cur
	}
	if cur >= e.top+h {
		e.top = cur - h + 1
	}
	e.top = min(e.top, max(len(rows)-1, 0))
	out := make([]string, 0, h)
	for v := e.top; v < len(rows) && len(out) < h; v++ {
		r := rows[v]
		l := e.lines[r.line]
		if !focused || v != cur {
			out = append(out, common.Fit(string(l[r.start:r.end]), w))
			continue
		}
		before, at, after := string(l[r.start:e.col]), " ", ""
		if e.col < r.end {
			at, after = string(l[e.col]), string(l[e.col+1:r.end])
		}
		out = append(out, common.FitStyled(before+cursor(at)+after, w))
	}
	return out
}
