package wizard

import (
	"strings"
	"unicode"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// styles are the wizard's few styles, in the 16 basic colours so that they
// read on light and dark backgrounds alike.
type styles struct {
	title, rule, selected, dim, err, ok, warn, label lipgloss.Style
}

func newStyles() styles {
	return styles{
		title:    lipgloss.NewStyle().Bold(true),
		rule:     lipgloss.NewStyle().Faint(true),
		selected: lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Cyan),
		dim:      lipgloss.NewStyle().Faint(true),
		err:      lipgloss.NewStyle().Foreground(lipgloss.Red),
		ok:       lipgloss.NewStyle().Foreground(lipgloss.Green),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Yellow),
		label:    lipgloss.NewStyle().Bold(true),
	}
}

// page collects the lines of a step's body, wrapped to its width.
type page struct {
	w     int
	lines []string
}

// text adds s (which may hold newlines) wrapped to the width, each line
// prefixed by indent and rendered with st.
func (p *page) text(indent string, st lipgloss.Style, s string) {
	for _, para := range strings.Split(s, "\n") {
		for _, l := range wrapText(para, p.w-ansi.StringWidth(indent)) {
			p.lines = append(p.lines, indent+st.Render(l))
		}
	}
}

// line adds one line as it is (it is cut to the width when drawn).
func (p *page) line(s string) { p.lines = append(p.lines, s) }

func (p *page) blank() { p.lines = append(p.lines, "") }

// wrapText breaks plain text into lines of at most width terminal cells.
// Words break at spaces; CJK text, which has none, breaks between any two
// wide characters; a word longer than a line is cut.
func wrapText(s string, width int) []string {
	if width < 4 {
		width = 4
	}
	var (
		lines []string
		cur   strings.Builder
		curW  int
	)
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	for _, tok := range tokens(s) {
		tw := ansi.StringWidth(tok)
		if tok == " " {
			if curW > 0 && curW < width {
				cur.WriteString(" ")
				curW++
			}
			continue
		}
		if curW+tw > width && curW > 0 {
			flush()
		}
		for tw > width { // a word longer than a line
			head := ansi.Truncate(tok, width, "")
			lines = append(lines, head)
			tok = strings.TrimPrefix(tok, head)
			tw = ansi.StringWidth(tok)
		}
		cur.WriteString(tok)
		curW += tw
	}
	if cur.Len() > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

// tokens splits s into words, single spaces and single wide characters.
// Closing punctuation sticks to what precedes it, so that no line starts
// with "，" or "。".
func tokens(s string) []string {
	var out []string
	var word strings.Builder
	end := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			end()
			out = append(out, " ")
		case isClosingPunct(r) && (word.Len() > 0 || len(out) > 0 && out[len(out)-1] != " "):
			if word.Len() > 0 {
				word.WriteRune(r)
			} else {
				out[len(out)-1] += string(r)
			}
		case ansi.StringWidth(string(r)) > 1:
			end()
			out = append(out, string(r))
		default:
			word.WriteRune(r)
		}
	}
	end()
	return out
}

func isClosingPunct(r rune) bool {
	return strings.ContainsRune("，。、；：！？）」』》”’…,.;:!?)", r)
}

// pad right-pads s with spaces to width cells.
func pad(s string, width int) string {
	if w := ansi.StringWidth(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// fit cuts every line to width cells and the block to height lines,
// padding it to exactly height lines.
func fit(lines []string, width, height int) []string {
	out := make([]string, 0, height)
	for i, l := range lines {
		if i == height {
			break
		}
		out = append(out, ansi.Truncate(l, width, "…"))
	}
	for len(out) < height {
		out = append(out, "")
	}
	return out
}
