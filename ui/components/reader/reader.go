// Package reader shows one message: headers, the decoded body (HTML already
// reduced to text with numbered links by package message), the link list and
// the attachments. Nothing remote is ever loaded: links are only listed.
package reader

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/dustin/go-humanize"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// State is what the reader has to show.
type State int

const (
	StateEmpty   State = iota // nothing opened
	StateLoading              // the body is being read
	StateReady                // parsed
	StateNoBody               // the body is not downloaded yet
	StateFailed               // reading or parsing failed
)

// Model is the reader.
type Model struct {
	c       *common.Common
	msg     store.Message
	parsed  *message.Parsed
	state   State
	errText string
	lines   []string // the rendered body, wrapped to width (styled)
	offset  int
	att     int // selected attachment
	attLine int // the line of the first attachment (-1: none)
	width   int
	height  int
	loc     *time.Location
	card    []string // an invitation card above the body (SetCard)
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty reader; dates are shown in loc.
func New(c *common.Common, loc *time.Location) Model { return Model{c: c, loc: loc} }

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size in cells and rewraps the body.
func (m *Model) SetSize(w, h int) {
	if w != m.width {
		m.width = w
		m.render()
	}
	m.height = h
	m.clamp()
}

// Open starts showing msg (its header fields at once, the body when
// SetParsed arrives).
func (m *Model) Open(msg store.Message) {
	m.msg, m.parsed, m.state, m.errText, m.offset, m.att, m.card = msg, nil, StateLoading, "", 0, 0, nil
	m.render()
}

// Message is the message shown.
func (m Model) Message() store.Message { return m.msg }

// State is what the reader shows.
func (m Model) State() State { return m.state }

// SetParsed shows the parsed message.
func (m *Model) SetParsed(p *message.Parsed) {
	m.parsed, m.state = p, StateReady
	m.render()
}

// SetNoBody says the body is not downloaded yet.
func (m *Model) SetNoBody() {
	m.state = StateNoBody
	m.render()
}

// SetFailed shows a worded failure.
func (m *Model) SetFailed(text string) {
	m.state, m.errText = StateFailed, text
	m.render()
}

// SetFlags updates the flags of the message shown.
func (m *Model) SetFlags(f store.Flags) { m.msg.Flags = f }

// Attachment returns the selected attachment.
func (m Model) Attachment() (message.Attachment, bool) {
	if m.parsed == nil || m.att >= len(m.parsed.Attachments) {
		return message.Attachment{}, false
	}
	return m.parsed.Attachments[m.att], true
}

// Update scrolls and selects attachments.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k := m.c.Keys
	page := max(m.height-1, 1)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Up):
			m.offset--
		case key.Matches(msg, k.Down):
			m.offset++
		case key.Matches(msg, k.PageUp):
			m.offset -= page
		case key.Matches(msg, k.PageDown):
			m.offset += page
		case key.Matches(msg, k.Top):
			m.offset = 0
		case key.Matches(msg, k.Bottom):
			m.offset = len(m.lines)
		case key.Matches(msg, k.NextAttachment):
			if m.parsed != nil && len(m.parsed.Attachments) > 0 {
				m.att = (m.att + 1) % len(m.parsed.Attachments)
				m.render()
			}
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.offset -= 3
		case tea.MouseWheelDown:
			m.offset += 3
		}
	}
	m.clamp()
	return m, nil
}

// Click selects the attachment on line y of the reader (0: its top) and
// reports whether it was already selected (the caller then opens it, as
// the open key does). Elsewhere a click does nothing: links are only
// listed, never followed.
func (m *Model) Click(y int) (again bool) {
	if m.parsed == nil || m.attLine < 0 || y < 0 || y >= m.height {
		return false
	}
	i := m.offset + y - m.attLine
	if i < 0 || i >= len(m.parsed.Attachments) {
		return false
	}
	if i == m.att {
		return true
	}
	m.att = i
	m.render()
	return false
}

func (m *Model) clamp() {
	m.offset = max(0, min(m.offset, len(m.lines)-m.height))
}

// View draws the visible lines, exactly width × height cells.
func (m Model) View() string {
	end := min(m.offset+m.height, len(m.lines))
	var vis []string
	if m.offset < end {
		vis = m.lines[m.offset:end]
	}
	return common.Block(vis, m.width, m.height)
}

// render lays the whole message out once per message and width, so that
// scrolling only slices.
func (m *Model) render() {
	m.lines, m.attLine = m.lines[:0], -1
	if m.width <= 0 || m.state == StateEmpty {
		return
	}
	st, p := m.c.Styles, m.c.P
	m.header(p.T("tui.reader.from"), addrList(m.from()))
	m.header(p.T("tui.reader.to"), addrList(m.to()))
	if cc := m.cc(); len(cc) > 0 {
		m.header(p.T("tui.reader.cc"), addrList(cc))
	}
	if d := m.msg.SortDate(); !d.IsZero() {
		m.header(p.T("tui.reader.date"), d.In(m.loc).Format("2006-01-02 15:04 -0700"))
	}
	subj := common.Clean(m.msg.Subject)
	if m.parsed != nil && m.parsed.Subject != "" {
		subj = m.parsed.Subject
	}
	m.header(p.T("tui.reader.subject"), subj)
	m.lines = append(m.lines, st.Border.Render(strings.Repeat("-", m.width)))
	switch m.state {
	case StateLoading:
		m.lines = append(m.lines, st.Empty.Render(p.T("tui.reader.loading")))
	case StateNoBody:
		m.wrap(p.T("tui.reader.no_body"), st.Empty)
	case StateFailed:
		m.wrap(m.errText, st.Problem)
	case StateReady:
		for _, l := range m.card {
			m.wrap(l, st.StatusNote)
		}
		if len(m.card) > 0 {
			m.lines = append(m.lines, st.Border.Render(strings.Repeat("-", m.width)))
		}
		m.body()
	}
}

// SetCard shows lines (worded by the caller, already clean) above the body
// of the message shown: the calendar invitation card. nil removes it.
func (m *Model) SetCard(lines []string) {
	m.card = lines
	m.render()
}

func (m *Model) body() {
	st, p := m.c.Styles, m.c.P
	m.wrap(m.parsed.Text, st.Body)
	if len(m.parsed.Links) > 0 {
		m.lines = append(m.lines, "", st.HeaderKey.Render(p.T("tui.reader.links")))
		for i, l := range m.parsed.Links {
			m.wrap(fmt.Sprintf("[%d] %s", i+1, message.SanitizeLine(l)), st.Link)
		}
	}
	if len(m.parsed.Attachments) > 0 {
		m.lines = append(m.lines, "", st.HeaderKey.Render(p.T("tui.reader.attachments", m.c.Keys.NextAttachment.Help().Key,
			m.c.Keys.SaveAttachment.Help().Key, m.c.Keys.OpenAttachment.Help().Key)))
		m.attLine = len(m.lines)
		for i, a := range m.parsed.Attachments {
			style, cur := st.Attachment, "  "
			if i == m.att {
				style, cur = st.AttSelected, "> "
			}
			text := fmt.Sprintf("%s%s (%s, %s)", cur, message.SanitizeLine(a.Filename), message.SanitizeLine(a.ContentType),
				humanize.IBytes(uint64(max(a.Size, 0))))
			m.lines = append(m.lines, style.Render(common.Fit(text, m.width)))
		}
	}
}

// header adds "Key: value", the value cut to one line.
func (m *Model) header(k, v string) {
	st := m.c.Styles
	kw := ansi.StringWidth(k) + 2
	m.lines = append(m.lines, st.HeaderKey.Render(k+": ")+st.HeaderValue.Render(common.Fit(v, max(m.width-kw, 1))))
}

// wrap adds text wrapped to the width, CJK-aware, each line styled.
func (m *Model) wrap(text string, style interface{ Render(...string) string }) {
	text = message.SanitizeText(text)
	for _, l := range strings.Split(ansi.Wrap(strings.ReplaceAll(text, "\t", "    "), m.width, ""), "\n") {
		m.lines = append(m.lines, style.Render(l))
	}
}

func (m Model) from() []message.Address {
	if m.parsed != nil && len(m.parsed.From) > 0 {
		return m.parsed.From
	}
	return []message.Address{{Name: m.msg.From.Name, Addr: m.msg.From.Addr}}
}

func (m Model) to() []message.Address {
	if m.parsed != nil {
		return m.parsed.To
	}
	return convert(m.msg.To)
}

func (m Model) cc() []message.Address {
	if m.parsed != nil {
		return m.parsed.Cc
	}
	return convert(m.msg.Cc)
}

func convert(as []store.Address) []message.Address {
	out := make([]message.Address, len(as))
	for i, a := range as {
		out[i] = message.Address{Name: a.Name, Addr: a.Addr}
	}
	return out
}

func addrList(as []message.Address) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		name, addr := common.Clean(a.Name), common.Clean(a.Addr)
		switch {
		case name != "" && addr != "":
			parts = append(parts, name+" <"+addr+">")
		case addr != "":
			parts = append(parts, addr)
		default:
			parts = append(parts, name)
		}
	}
	return strings.Join(parts, ", ")
}

// ShortHelp lists the reader's main keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.c.Keys
	return []key.Binding{k.Back, k.NextMsg, k.PrevMsg, k.SaveAttachment, k.OpenAttachment}
}

// FullHelp lists the reader's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, m.ShortHelp(), {k.NextAttachment}}
}
