package wizard

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// field is a one-line text input: typing, pasting, moving and deleting by
// character or to either end, an optional mask for passwords, and
// horizontal scrolling measured in terminal cells (CJK is two). It is the
// wizard's own so that it needs nothing beyond the pinned modules, and it
// draws its cursor as a reversed cell, with no blinking timer.
type field struct {
	value       []rune
	pos         int
	focus       bool
	mask        rune // shown instead of each character; 0 shows the text
	placeholder string
	width       int // cells; 0 means no limit
	limit       int // runes; 0 means no limit
}

func newField(placeholder string) field {
	return field{placeholder: placeholder, limit: 256}
}

// Value is the text typed.
func (f field) Value() string { return string(f.value) }

// SetValue replaces the text and puts the cursor at its end.
func (f *field) SetValue(s string) {
	f.value = []rune(sanitizeInput(s))
	if f.limit > 0 && len(f.value) > f.limit {
		f.value = f.value[:f.limit]
	}
	f.pos = len(f.value)
}

// Reset empties the field.
func (f *field) Reset() { f.value, f.pos = nil, 0 }

// Focus lets the field take keys; it returns no Cmd (the cursor does not
// blink) but keeps the shape of the bubbles inputs.
func (f *field) Focus() tea.Cmd {
	f.focus = true
	return nil
}

// Blur stops the field taking keys.
func (f *field) Blur() { f.focus = false }

// SetWidth sets the number of cells the field shows.
func (f *field) SetWidth(w int) { f.width = w }

// sanitizeInput drops control characters (and so terminal escapes and
// newlines) from typed or pasted text.
func sanitizeInput(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// insert puts s at the cursor.
func (f *field) insert(s string) {
	rs := []rune(sanitizeInput(s))
	if f.limit > 0 && len(f.value)+len(rs) > f.limit {
		rs = rs[:max(f.limit-len(f.value), 0)]
	}
	v := make([]rune, 0, len(f.value)+len(rs))
	v = append(append(append(v, f.value[:f.pos]...), rs...), f.value[f.pos:]...)
	f.value, f.pos = v, f.pos+len(rs)
}

// Update handles keys and pastes while focused.
func (f field) Update(msg tea.Msg) (field, tea.Cmd) {
	if !f.focus {
		return f, nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		f.insert(msg.Content)
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if f.pos > 0 {
				f.value = append(f.value[:f.pos-1], f.value[f.pos:]...)
				f.pos--
			}
		case "delete", "ctrl+d":
			if f.pos < len(f.value) {
				f.value = append(f.value[:f.pos], f.value[f.pos+1:]...)
			}
		case "left", "ctrl+b":
			f.pos = max(f.pos-1, 0)
		case "right", "ctrl+f":
			f.pos = min(f.pos+1, len(f.value))
		case "home", "ctrl+a":
			f.pos = 0
		case "end", "ctrl+e":
			f.pos = len(f.value)
		case "ctrl+u":
			f.value, f.pos = append([]rune(nil), f.value[f.pos:]...), 0
		case "ctrl+k":
			f.value = f.value[:f.pos]
		default:
			if msg.Text != "" && !msg.Mod.Contains(tea.ModCtrl) && !msg.Mod.Contains(tea.ModAlt) {
				f.insert(msg.Text)
			}
		}
	}
	return f, nil
}

// View shows the text (or the placeholder) scrolled so that the cursor is
// visible, within the field's width.
func (f field) View() string {
	cursorStyle := lipgloss.NewStyle().Reverse(true)
	shown := make([]string, len(f.value))
	for i, r := range f.value {
		if f.mask != 0 {
			shown[i] = string(f.mask)
		} else {
			shown[i] = string(r)
		}
	}
	if len(f.value) == 0 && f.placeholder != "" {
		ph := f.placeholder
		if f.width > 0 {
			ph = ansi.Truncate(ph, f.width, "…")
		}
		if f.focus {
			return cursorStyle.Render(" ") + lipgloss.NewStyle().Faint(true).Render(ph)
		}
		return " " + lipgloss.NewStyle().Faint(true).Render(ph)
	}
	// Scroll: the window [start, pos] must fit, with one cell for the cursor.
	start := 0
	if f.width > 0 {
		w := 1
		for start = f.pos; start > 0; start-- {
			cw := ansi.StringWidth(shown[start-1])
			if w+cw > f.width {
				break
			}
			w += cw
		}
	}
	var b strings.Builder
	w := 0
	for i := start; i <= len(shown); i++ {
		cell := " "
		if i < len(shown) {
			cell = shown[i]
		}
		cw := ansi.StringWidth(cell)
		if f.width > 0 && w+cw > f.width {
			break
		}
		if i == f.pos && f.focus {
			b.WriteString(cursorStyle.Render(cell))
		} else if i < len(shown) {
			b.WriteString(cell)
		}
		w += cw
	}
	return b.String()
}
