// Package wizard is the first-run setup wizard of Magpie's TUI: pick a
// provider (or "other": autodiscovery, or servers typed in by hand), type the
// address, read the provider's app-password steps, type the app password,
// watch the connection test (with the diagnosis in plain words when it
// fails), choose what to sync and a name; then the password goes to the
// keyring, the account to the config, and DoneMsg to the root app.
//
// The wizard is a component (Init/Update/View/SetSize/KeyMap); it draws its
// own key hints on its last line, so the root needs no footer while it shows.
// It never blocks Update on the network: discovery, the probe and the
// keyring run in Cmds whose results carry the request ID they answer.
package wizard

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Deps is what the wizard works with. Config and Secrets are required;
// a nil Dialer means a zero account.Dialer, a nil Printer English.
type Deps struct {
	Printer *i18n.Printer
	// Config receives the account (AppendAccount) once its password is in
	// Secrets. The wizard touches it only from Update, on the UI goroutine.
	Config *account.Config
	// Secrets keeps the password; it is written once, when saving.
	Secrets account.SecretStore
	// Dialer runs the connection test. Its Secrets are not used: the probe
	// gets the typed password from a private in-memory store.
	Dialer *account.Dialer
	// Discoverer finds the servers for "other" addresses.
	Discoverer account.Discoverer
	// Context is the app's lifetime: requests in flight end with it. Nil
	// means context.Background() (each request still has its own cancel).
	Context context.Context
}

// DoneMsg is emitted once the account is saved: password in Secrets,
// account in Config. Bodies is the user's choice of what to download.
type DoneMsg struct {
	Account account.Account
	Bodies  account.BodyPolicy
}

// CancelledMsg is emitted when the user quits the wizard (Ctrl-C) before
// DoneMsg. No account was written to the config.
type CancelledMsg struct{}

// DiscoveredMsg carries the result of autodiscovery request ID.
type DiscoveredMsg struct {
	ID        int
	Discovery account.Discovery
	Err       error
}

// ProbedMsg carries the connection test of request ID.
type ProbedMsg struct {
	ID     int
	Report account.ProbeReport
}

// SecretSavedMsg says whether the password of request ID reached the
// secret store.
type SecretSavedMsg struct {
	ID  int
	Err error
}

// step is where the wizard is.
type step int

const (
	stepProvider    step = iota // choose a preset or "other"
	stepAddress                 // type the address
	stepDiscovering             // autodiscovery runs
	stepDiscovered              // discovery result (or what was tried)
	stepManual                  // servers typed in by hand
	stepPassword                // app-password steps and the password
	stepProbing                 // connection test runs
	stepProbed                  // its result
	stepSync                    // what to sync, and the account name
	stepSaving                  // keyring, then config
	stepSaveFailed              // keyring or config refused
	stepDone                    // DoneMsg sent
)

// serversFrom says where the account's servers came from, so that Esc on
// the password step goes back to the right place.
type serversFrom int

const (
	fromPreset serversFrom = iota
	fromDiscovery
	fromManual
)

// Model is the wizard. It is a value: Update returns the next one.
type Model struct {
	deps  Deps
	p     *i18n.Printer
	keys  keyMap
	st    styles
	help  help.Model
	w, h  int
	step  step
	spin  spinner.Model
	seq   int                // the ID of the request in flight (or the last)
	stop  context.CancelFunc // cancels the request in flight; nil if none
	other bool               // "other" was picked
	from  serversFrom

	providers []account.Provider
	cursor    int // in providers; len(providers) is "other"

	addr     field
	addrErr  string
	disc     account.Discovery
	discErr  error
	manual   manualForm
	password field
	pwErr    string

	acct   account.Account // being built: email, provider, servers, username
	report account.ProbeReport

	bodies    int // index into bodyChoices
	name      field
	nameFocus bool
	nameErr   string
	nameFor   string // the address the default name was made for
	saveErr   error
	rollback  bool // the config failed; the secret is being removed again
}

// New returns the wizard at its first step.
func New(d Deps) Model {
	p := d.Printer
	if p == nil {
		p = i18n.New(i18n.EN)
	}
	d.Printer = p
	m := Model{
		deps:      d,
		p:         p,
		keys:      newKeyMap(p),
		st:        newStyles(),
		help:      help.New(),
		w:         80,
		h:         24,
		spin:      spinner.New(spinner.WithSpinner(spinner.Line)),
		providers: account.Providers(),
	}
	m.addr = newInput("", "chen@example.com")
	m.password = newInput("", "")
	m.password.mask = '•'
	m.name = newInput("", "")
	m.manual = newManualForm(p)
	m.SetSize(m.w, m.h)
	return m
}

// newInput is a text field holding value.
func newInput(value, placeholder string) field {
	f := newField(placeholder)
	f.SetValue(value)
	return f
}

// Init implements the component contract; the first step needs no Cmd.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the area the wizard draws in (at least 80x24 is expected;
// smaller areas are clipped).
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	fw := min(max(w-4, 10), 60)
	m.addr.SetWidth(fw)
	m.password.SetWidth(fw)
	m.name.SetWidth(min(fw, 40))
	m.manual.setWidth(min(max(w-22, 10), 50))
	m.help.SetWidth(w)
}

// Update handles keys, the wizard's own result messages and the spinner.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if msg.String() == "ctrl+c" && m.step != stepDone {
			m.cancelRequest()
			return m, func() tea.Msg { return CancelledMsg{} }
		}
		return m.updateKey(msg)
	case tea.PasteMsg:
		return m.updateInputs(msg)
	case DiscoveredMsg:
		return m.discovered(msg)
	case ProbedMsg:
		return m.probed(msg)
	case SecretSavedMsg:
		return m.secretSaved(msg)
	case spinner.TickMsg:
		if !m.busy() {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	}
	return m.updateInputs(msg)
}

// updateKey sends a key to the current step.
func (m Model) updateKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	switch m.step {
	case stepProvider:
		return m.keyProvider(msg)
	case stepAddress:
		return m.keyAddress(msg)
	case stepDiscovering, stepProbing:
		if keyMatches(msg, m.keys.Back) {
			return m.backFromRequest()
		}
		return m, nil
	case stepDiscovered:
		return m.keyDiscovered(msg)
	case stepManual:
		return m.keyManual(msg)
	case stepPassword:
		return m.keyPassword(msg)
	case stepProbed:
		return m.keyProbed(msg)
	case stepSync:
		return m.keySync(msg)
	case stepSaveFailed:
		return m.keySaveFailed(msg)
	}
	return m, nil
}

// updateInputs passes other messages (cursor blinks, pastes) to the
// focused text field.
func (m Model) updateInputs(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.step {
	case stepAddress:
		m.addr, cmd = m.addr.Update(msg)
	case stepManual:
		m.manual, cmd = m.manual.update(msg)
	case stepPassword:
		m.password, cmd = m.password.Update(msg)
	case stepSync:
		if m.nameFocus {
			m.name, cmd = m.name.Update(msg)
		}
	}
	return m, cmd
}

// busy reports whether a request is in flight (the spinner turns).
func (m Model) busy() bool {
	return m.step == stepDiscovering || m.step == stepProbing || m.step == stepSaving
}

// startRequest makes a new request ID and a context for it, cancelling any
// request still in flight, and starts the spinner.
func (m *Model) startRequest() (int, context.Context, tea.Cmd) {
	m.cancelRequest()
	m.seq++
	parent := m.deps.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	m.stop = cancel
	return m.seq, ctx, m.spin.Tick
}

// cancelRequest abandons the request in flight: its context ends and its
// result, should it still come, no longer matches m.seq.
func (m *Model) cancelRequest() {
	if m.stop != nil {
		m.stop()
		m.stop = nil
	}
	m.seq++
}

// finishRequest releases the context of a request that answered.
func (m *Model) finishRequest() {
	if m.stop != nil {
		m.stop()
		m.stop = nil
	}
}

// backFromRequest is Esc while discovery or the probe runs.
func (m Model) backFromRequest() (Model, tea.Cmd) {
	m.cancelRequest()
	if m.step == stepDiscovering {
		m.step = stepAddress
		return m, m.addr.Focus()
	}
	m.step = stepPassword
	return m, m.password.Focus()
}
