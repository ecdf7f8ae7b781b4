// Package outboxview is the TUI's outbox panel (key O): every message not
// yet sent — queued, scheduled with its time, being sent, or failed with
// the reason and the fix in plain words — and the member's hand on each:
// send now (retry), reschedule, edit (back into the composer as a draft),
// or take it back to Drafts. Nothing is ever deleted from here: a message
// leaves the outbox only by being sent or by becoming a draft again.
//
// It does no I/O: the root loads the items (SetItems) and carries out the
// actions it asks for (ActionMsg).
package outboxview

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Item is one message of the outbox as the panel shows it.
type Item struct {
	ID        store.OutboxID
	Account   string
	From      string
	Rcpts     []string
	Subject   string
	State     store.OutState
	NotBefore time.Time // zero: as soon as possible
	Updated   time.Time
	Attempts  int
	Err       error // why it did not leave (outbox.StoredError); nil: none
}

// Scheduled reports whether the item waits for its time.
func (it Item) Scheduled(now time.Time) bool {
	return it.State == store.OutQueued && it.NotBefore.After(now)
}

// Action is what the member asked to do with an item.
type Action int

const (
	ActRetry      Action = iota + 1 // send at the next flush (now)
	ActReschedule                   // send at At
	ActEdit                         // back to a draft, opened in the composer
	ActToDrafts                     // back to a draft, left in Drafts
)

// ActionMsg asks the root to act on an item.
type ActionMsg struct {
	Action  Action
	ID      store.OutboxID
	Account string
	At      time.Time // ActReschedule
}

// ClosedMsg says the member closed the panel.
type ClosedMsg struct{}

// Model is the panel.
type Model struct {
	c      *common.Common
	now    func() time.Time
	loc    *time.Location
	items  []Item
	loaded bool
	sel    int
	width  int
	height int

	// Rescheduling: the time being typed, and why the last one was not read.
	asking bool
	input  []rune
	bad    string
}

// New returns an empty panel (it shows "loading" until SetItems).
func New(c *common.Common, now func() time.Time, loc *time.Location) Model {
	return Model{c: c, now: now, loc: loc}
}

// Init does nothing.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the panel's size in cells.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h }

// SetItems replaces what the panel shows, keeping the selected message
// selected when it is still there.
func (m *Model) SetItems(items []Item) {
	var keep store.OutboxID
	if m.sel < len(m.items) {
		keep = m.items[m.sel].ID
	}
	m.items, m.loaded = items, true
	m.sel = min(m.sel, max(len(items)-1, 0))
	for i, it := range items {
		if it.ID == keep {
			m.sel = i
		}
	}
}

// Items is what the panel shows.
func (m Model) Items() []Item { return m.items }

// Selected is the selected item.
func (m Model) Selected() (Item, bool) {
	if m.sel < len(m.items) {
		return m.items[m.sel], true
	}
	return Item{}, false
}

// Asking reports whether a new time is being typed.
func (m Model) Asking() bool { return m.asking }

// keys of the panel.
type keyMap struct {
	Retry, Reschedule, Edit, ToDrafts, Close key.Binding
}

func (m Model) keys() keyMap {
	p := m.c.P
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], p.T(help)))
	}
	return keyMap{
		Retry:      b("outboxview.key.retry", "r"),
		Reschedule: b("outboxview.key.reschedule", "t"),
		Edit:       b("outboxview.key.edit", "e"),
		ToDrafts:   b("outboxview.key.to_drafts", "x"),
		Close:      b("outboxview.key.close", "esc", "q", "O"),
	}
}

// ShortHelp lists the panel's keys.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys()
	return []key.Binding{k.Retry, k.Reschedule, k.Edit, k.ToDrafts, k.Close}
}

// FullHelp is ShortHelp in one column.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

var _ common.Component[Model] = (*Model)(nil)

// Update moves the selection and turns the action keys into ActionMsg; it
// reads a new time for ActReschedule with outbox.ParseWhen.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.asking {
			return m.askKey(msg)
		}
		return m.key(msg)
	case tea.PasteMsg:
		if m.asking {
			m.input = append(m.input, []rune(strings.TrimSpace(msg.Content))...)
		}
	}
	return m, nil
}

func (m Model) key(k tea.KeyPressMsg) (Model, tea.Cmd) {
	km, ck := m.keys(), m.c.Keys
	switch {
	case key.Matches(k, km.Close):
		return m, func() tea.Msg { return ClosedMsg{} }
	case key.Matches(k, ck.Up):
		m.sel = max(m.sel-1, 0)
	case key.Matches(k, ck.Down):
		m.sel = max(min(m.sel+1, len(m.items)-1), 0)
	case key.Matches(k, ck.Top):
		m.sel = 0
	case key.Matches(k, ck.Bottom):
		m.sel = max(len(m.items)-1, 0)
	}
	it, ok := m.Selected()
	if !ok || it.State == store.OutSending {
		return m, nil // being sent: nothing to do but wait
	}
	act := func(a Action) tea.Cmd {
		return func() tea.Msg { return ActionMsg{Action: a, ID: it.ID, Account: it.Account} }
	}
	switch {
	case key.Matches(k, km.Retry):
		return m, act(ActRetry)
	case key.Matches(k, km.Edit):
		return m, act(ActEdit)
	case key.Matches(k, km.ToDrafts):
		return m, act(ActToDrafts)
	case key.Matches(k, km.Reschedule):
		m.asking, m.input, m.bad = true, nil, ""
	}
	return m, nil
}

// askKey edits the time being typed: enter submits, esc gives up.
func (m Model) askKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch k.String() {
	case "esc":
		m.asking, m.bad = false, ""
		return m, nil
	case "enter":
		at, err := outbox.ParseWhen(string(m.input), m.now().In(m.loc))
		if err != nil {
			m.bad = m.c.P.T("outboxview.bad_time", common.Clean(string(m.input)))
			return m, nil
		}
		it, ok := m.Selected()
		m.asking, m.bad = false, ""
		if !ok {
			return m, nil
		}
		return m, func() tea.Msg { return ActionMsg{Action: ActReschedule, ID: it.ID, Account: it.Account, At: at} }
	case "backspace":
		if len(m.input) > 0 {
			m.input = m.input[:len(m.input)-1]
		}
		return m, nil
	}
	if t := k.Text; t != "" {
		m.input = append(m.input, []rune(t)...)
	}
	return m, nil
}
