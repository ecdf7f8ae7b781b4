// Package styles is the one set of lipgloss styles of Magpie's TUI, built
// for the terminal's background (light or dark).
package styles

import (
	"charm.land/lipgloss/v2"
)

// Styles holds every style the TUI draws with. Build it with New; it is a
// value, rebuilt (not mutated) when the terminal reports its background.
type Styles struct {
	IsDark bool

	Title     lipgloss.Style // the top line
	TitleDim  lipgloss.Style
	Border    lipgloss.Style // pane separators
	PaneTitle lipgloss.Style

	// Sidebar.
	Account        lipgloss.Style
	Folder         lipgloss.Style
	FolderSelected lipgloss.Style
	FolderActive   lipgloss.Style // the folder the list shows
	Unread         lipgloss.Style // unread counts

	// Message list.
	Row         lipgloss.Style
	RowUnread   lipgloss.Style
	RowSelected lipgloss.Style
	RowMark     lipgloss.Style // flag/attachment marks
	Date        lipgloss.Style
	Empty       lipgloss.Style

	// Reader.
	HeaderKey   lipgloss.Style
	HeaderValue lipgloss.Style
	Subject     lipgloss.Style
	Body        lipgloss.Style
	Link        lipgloss.Style
	Attachment  lipgloss.Style
	AttSelected lipgloss.Style
	Problem     lipgloss.Style

	// Status bar.
	Status      lipgloss.Style
	StatusError lipgloss.Style
	StatusNote  lipgloss.Style
	StatusHint  lipgloss.Style

	// Dialogs and overlays.
	Dialog      lipgloss.Style
	DialogTitle lipgloss.Style
	HelpKey     lipgloss.Style
	HelpDesc    lipgloss.Style
	HelpSep     lipgloss.Style
}

// New returns the styles for a dark (isDark) or light terminal background.
func New(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	dim := ld(lipgloss.Color("#6b6b6b"), lipgloss.Color("#8a8a8a"))
	accent := ld(lipgloss.Color("#0a5fb4"), lipgloss.Color("#6cb6ff"))
	selBg := ld(lipgloss.Color("#d6e6f8"), lipgloss.Color("#264f78"))
	warn := ld(lipgloss.Color("#b00020"), lipgloss.Color("#ff7b72"))
	note := ld(lipgloss.Color("#1a7f37"), lipgloss.Color("#7ee787"))
	barBg := ld(lipgloss.Color("#e8e8e8"), lipgloss.Color("#303030"))

	// Plain text is in the terminal's own foreground colour, which its
	// theme matches to its background; only what stands out is coloured.
	// It also keeps every frame cheaper: each coloured cell is converted
	// to the terminal's colour profile and compared on every frame — a
	// quarter of a PageDown frame's rendering with the text coloured.
	base := lipgloss.NewStyle()
	return Styles{
		IsDark:    isDark,
		Title:     base.Bold(true).Foreground(accent),
		TitleDim:  lipgloss.NewStyle().Foreground(dim),
		Border:    lipgloss.NewStyle().Foreground(dim),
		PaneTitle: lipgloss.NewStyle().Bold(true).Foreground(accent),

		Account:        base.Bold(true),
		Folder:         base,
		FolderSelected: base.Background(selBg).Bold(true),
		FolderActive:   base.Foreground(accent),
		Unread:         lipgloss.NewStyle().Foreground(accent).Bold(true),

		Row:         base,
		RowUnread:   base.Bold(true),
		RowSelected: base.Background(selBg),
		RowMark:     lipgloss.NewStyle().Foreground(warn),
		Date:        lipgloss.NewStyle().Foreground(dim),
		Empty:       lipgloss.NewStyle().Foreground(dim).Italic(true),

		HeaderKey:   lipgloss.NewStyle().Foreground(dim),
		HeaderValue: base,
		Subject:     base.Bold(true),
		Body:        base,
		Link:        lipgloss.NewStyle().Foreground(accent).Underline(true),
		Attachment:  base,
		AttSelected: base.Background(selBg).Bold(true),
		Problem:     lipgloss.NewStyle().Foreground(warn),

		Status:      base.Background(barBg),
		StatusError: lipgloss.NewStyle().Foreground(warn).Background(barBg).Bold(true),
		StatusNote:  lipgloss.NewStyle().Foreground(note).Background(barBg),
		StatusHint:  lipgloss.NewStyle().Foreground(dim).Background(barBg),

		Dialog:      base.Border(lipgloss.ASCIIBorder()).BorderForeground(accent).Padding(0, 1),
		DialogTitle: base.Bold(true).Foreground(accent),
		HelpKey:     lipgloss.NewStyle().Foreground(accent).Bold(true),
		HelpDesc:    base,
		HelpSep:     lipgloss.NewStyle().Foreground(dim),
	}
}
