// Package rulescreen is the TUI's mail-rules screen: for one account it
// shows where the rules run (on the server over ManageSieve, or on this
// computer), the ordered rules, the block and allow lists and the vacation
// reply, and scripts on the server Magpie did not write (read-only). A rule
// is switched on or off, moved up or down, removed, edited or made anew in
// an editor where fields, operators, actions and folders are picked, not
// typed; opened from a message, the screen blocks or always allows its
// sender and prefills a new rule from it. v opens the vacation reply, or
// says which provider web page sets it when there is no ManageSieve.
//
// It is a component (New/Init/Update/View/SetSize). Update never blocks on
// the network: reading and saving happen in Cmds whose result messages
// carry the request ID they answer; stale ones are dropped.
package rulescreen

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Deps is what the screen works with.
type Deps struct {
	Printer *i18n.Printer
	Config  *account.Config
	Store   *store.Store    // where rules that run here are kept
	Dialer  *account.Dialer // ManageSieve connections (its Secrets: the keyring)
	Context context.Context // the app's lifetime
	// Now is the clock (for the vacation dates); nil means time.Now.
	Now func() time.Time
}

// ClosedMsg asks the root to show the mail again.
type ClosedMsg struct{}

// LoadedMsg answers load request ID for Account.
type LoadedMsg struct {
	ID      int
	Account string
	Place   Place
	Set     rules.Set
	Folders []string // the account's folders a rule can file into
	Err     error
}

// SavedMsg answers save request ID: Set is what is now in force.
type SavedMsg struct {
	ID      int
	Account string
	Place   Place
	Set     rules.Set
	Err     error
}

// IsOwnMsg reports whether msg is one of this package's result messages.
func IsOwnMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case LoadedMsg, SavedMsg:
		return true
	}
	return false
}

// Place is where an account's rules live, as the screen shows it.
type Place struct {
	Server  string          // ManageSieve host:port; "" when the rules run here
	Guessed string          // a guessed server that did not answer
	Edited  bool            // Magpie's script on the server was edited by hand
	Script  string          // its text then (read-only)
	Others  []rules.Foreign // scripts Magpie did not write (read-only)
}

// Model is the screen.
type Model struct {
	d       Deps
	p       *i18n.Printer
	keys    keyMap
	w, h    int
	account string
	sender  string // the open message's sender, for block/allow; "" none
	src     Source // the open message, for a new rule
	folders []string
	editing bool
	ed      editor
	vacOn   bool // the vacation screen shows
	vac     vacForm
	seq     int  // ID of the request in flight or the last
	busy    bool // a request is in flight
	loaded  bool
	place   Place
	set     rules.Set
	cursor  int
	confirm bool   // x was pressed once: the next x removes
	err     string // the last failure, worded
	note    string // the last success, worded
}

// New returns the screen for the named account; src, when not empty, is
// the message open in the reader: b blocks its sender, a allows it, n makes
// a new rule from it.
func New(d Deps, accountName string, src Source) Model {
	return Model{d: d, p: d.Printer, keys: newKeyMap(d.Printer), account: accountName, sender: src.Sender, src: src}
}

func (m Model) now() time.Time {
	if m.d.Now != nil {
		return m.d.Now()
	}
	return time.Now()
}

// idents lists the account's addresses: primary, aliases, groups.
func (m Model) idents() []string {
	a, ok := m.d.Config.Account(m.account)
	if !ok {
		return nil
	}
	var out []string
	for _, id := range a.Identities() {
		if id.Address != "" {
			out = append(out, id.Address)
		}
	}
	return out
}

// SetSize sets the size View renders.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Init reads the account's rules.
func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	m.seq++
	m.busy = true
	return loadCmd(m.d, m.account, m.seq)
}

// Update handles keys and the answers to the screen's requests.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		if msg.ID != m.seq || msg.Account != m.account {
			return m, nil // stale
		}
		m.busy, m.loaded, m.place, m.set, m.folders = false, msg.Err == nil, msg.Place, msg.Set, msg.Folders
		m.err = m.word(msg.Err)
		m.cursor = min(m.cursor, max(len(m.set.Rules)-1, 0))
	case SavedMsg:
		if msg.ID != m.seq || msg.Account != m.account {
			return m, nil
		}
		m.busy = false
		m.err = m.word(msg.Err)
		if msg.Err == nil {
			m.set, m.place = msg.Set, msg.Place
			m.note = m.p.T("rscr.saved")
			m.cursor = min(m.cursor, max(len(m.set.Rules)-1, 0))
		}
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return m, nil
}

func (m Model) onKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	km := m.keys
	if m.editing {
		ed, done, save := m.ed.update(k, m)
		m.ed = ed
		if !done {
			return m, nil
		}
		m.editing = false
		if !save {
			return m, nil
		}
		if ed.orig != "" {
			set, err := m.set.Replace(ed.orig, ed.r)
			return m.save(set, err)
		}
		set, err := m.set.Add(ed.r)
		m.cursor = len(m.set.Rules)
		return m.save(set, err)
	}
	if m.vacOn {
		if m.place.Server == "" {
			m.vacOn = !key.Matches(k, km.Close)
			return m, nil
		}
		f, done, save := m.vac.update(k, m)
		m.vac = f
		if !done {
			return m, nil
		}
		m.vacOn = false
		if !save {
			return m, nil
		}
		set := m.set
		set.Vacation = f.vacation()
		return m.save(set, nil)
	}
	if key.Matches(k, km.Close) {
		return m, func() tea.Msg { return ClosedMsg{} }
	}
	if key.Matches(k, km.Account) && len(m.d.Config.Accounts) > 1 {
		m.account = nextAccount(m.d.Config.Accounts, m.account)
		m.loaded, m.set, m.cursor, m.err, m.note, m.sender, m.src = false, rules.Set{}, 0, "", "", "", Source{}
		return m, m.load()
	}
	if m.busy || !m.loaded || m.place.Edited {
		return m, nil // nothing to change until the rules are read (and are Magpie's)
	}
	wasConfirm := m.confirm
	m.confirm = false
	n := len(m.set.Rules)
	switch {
	case key.Matches(k, km.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, km.Down):
		m.cursor = min(m.cursor+1, max(n-1, 0))
	case key.Matches(k, km.Toggle) && n > 0:
		r := m.set.Rules[m.cursor]
		set, err := m.set.SetDisabled(r.Name, !r.Disabled)
		return m.save(set, err)
	case key.Matches(k, km.MoveUp) && m.cursor > 0:
		m.cursor--
		return m.save(swap(m.set, m.cursor, m.cursor+1), nil)
	case key.Matches(k, km.MoveDown) && m.cursor < n-1:
		m.cursor++
		return m.save(swap(m.set, m.cursor, m.cursor-1), nil)
	case key.Matches(k, km.Remove) && n > 0:
		if !wasConfirm {
			m.confirm = true
			return m, nil
		}
		set, err := m.set.Remove(m.set.Rules[m.cursor].Name)
		return m.save(set, err)
	case key.Matches(k, km.Block) && m.sender != "":
		set, err := m.set.AddSender(m.sender, false)
		return m.save(set, err)
	case key.Matches(k, km.Allow) && m.sender != "":
		set, err := m.set.AddSender(m.sender, true)
		return m.save(set, err)
	case key.Matches(k, km.New):
		m.editing, m.ed = true, newEditor(m.src, m.folders, m.idents(), m.set)
	case key.Matches(k, km.Edit) && n > 0:
		m.editing, m.ed = true, editExisting(m.set.Rules[m.cursor], m.folders, m.idents())
	case key.Matches(k, km.Vacation):
		m.vacOn, m.vac = true, newVacForm(m.set.Vacation, m.idents(), m.p)
	}
	return m, nil
}

// save writes set where the rules live, in a Cmd.
func (m Model) save(set rules.Set, err error) (Model, tea.Cmd) {
	if err != nil {
		m.err = m.word(err)
		return m, nil
	}
	m.seq++
	m.busy, m.err, m.note = true, "", ""
	return m, saveCmd(m.d, m.account, set, m.seq)
}

func swap(s rules.Set, i, j int) rules.Set {
	s.Rules = append([]rules.Rule{}, s.Rules...)
	s.Rules[i], s.Rules[j] = s.Rules[j], s.Rules[i]
	return s
}

func nextAccount(accts []account.Account, cur string) string {
	for i, a := range accts {
		if a.Name == cur {
			return accts[(i+1)%len(accts)].Name
		}
	}
	return accts[0].Name
}

type keyBinding = key.Binding

// ShortHelp is the component's key hint line (help.KeyMap).
func (m Model) ShortHelp() []key.Binding { return m.hints() }

// FullHelp is the same keys in one column (help.KeyMap).
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.hints()} }

type keyMap struct {
	Up, Down, Toggle, MoveUp, MoveDown, Remove, Block, Allow, Account, Close key.Binding
	New, Edit, Change, Commit, Not, Left, Right, Vacation, Template, Cycle   key.Binding
}

func newKeyMap(p *i18n.Printer) keyMap {
	b := func(help string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keys[0], p.T(help)))
	}
	return keyMap{
		Up:       b("rscr.key.up", "up", "k"),
		Down:     b("rscr.key.down", "down", "j"),
		Toggle:   b("rscr.key.toggle", "space"),
		MoveUp:   b("rscr.key.move_up", "K"),
		MoveDown: b("rscr.key.move_down", "J"),
		Remove:   b("rscr.key.remove", "x"),
		Block:    b("rscr.key.block", "b"),
		Allow:    b("rscr.key.allow", "a"),
		Account:  b("rscr.key.account", "tab"),
		Close:    b("rscr.key.close", "esc", "q"),
		New:      b("rscr.key.new", "n"),
		Edit:     b("rscr.key.edit", "enter", "e"),
		Change:   b("rscr.key.change", "enter"),
		Commit:   b("rscr.key.commit", "ctrl+s"),
		Not:      b("rscr.key.not", "!"),
		Vacation: b("rscr.key.vacation", "v"),
		Template: b("rscr.key.template", "t"),
		Cycle:    b("rscr.key.cycle", "space"),
		Left:     b("rscr.key.left", "left", "h"),
		Right:    b("rscr.key.right", "right", "l"),
	}
}
