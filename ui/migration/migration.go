// Package migration is the TUI's guided migration wizard (邮箱搬家): five
// steps — Prepare (the old provider's checklist), Connect (old address,
// client password, server; a failed login is explained with the account
// diagnosis), Plan (folders with counts and sizes, the mapping, an
// estimate; choose folders), Run (progress per folder and in total, with
// pause, resume and stop) and Report (the verdict and the failures, saved
// to a file).
//
// It is a component (New/Init/Update/View/SetSize). The run goes on while
// the root shows the mail (HideMsg): the root must keep routing this
// package's messages (IsOwnMsg) to Update when the wizard is hidden. Update
// never blocks on the network: planning and the run happen in Cmds and a
// goroutine whose messages carry the request ID they answer; stale ones
// are dropped.
package migration

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/migrate"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Deps is what the wizard works with.
type Deps struct {
	Printer *i18n.Printer
	// Config lists the accounts the mail can go to (the new mailbox).
	Config *account.Config
	// Dialer connects the destination (its Secrets: the keyring) and,
	// as a copy with a private in-memory secret store, the source.
	Dialer *account.Dialer
	// DataDir holds the journals and reports, under "migrate" like the
	// command line's, so a run started here continues there and back.
	DataDir string
	// Context is the app's lifetime; a run ends with it.
	Context context.Context
	// Now is the clock for rates and ETAs; nil means time.Now.
	Now func() time.Time
}

// HideMsg asks the root to show the mail again; the run goes on.
type HideMsg struct{}

// ClosedMsg says the wizard is finished or left; nothing runs any more.
type ClosedMsg struct{}

// PlannedMsg is the answer to planning request ID.
type PlannedMsg struct {
	ID   int
	Plan migrate.Plan
	Err  error
}

// ProgressMsg is a folder's progress in run ID.
type ProgressMsg struct {
	ID       int
	Progress migrate.Progress
}

// FinishedMsg ends run ID.
type FinishedMsg struct {
	ID     int
	Report migrate.Report
	Err    error
}

// ReportSavedMsg says where the readable report of run ID was written.
type ReportSavedMsg struct {
	ID   int
	Path string
	Err  error
}

// IsOwnMsg reports whether msg is one of this package's result messages,
// which the root routes to the wizard even while it is hidden.
func IsOwnMsg(msg tea.Msg) bool {
	switch msg.(type) {
	case PlannedMsg, ProgressMsg, FinishedMsg, ReportSavedMsg:
		return true
	}
	return false
}

type step int

const (
	stepPrepare  step = iota // pick the old provider, read its checklist
	stepConnect              // address, client password, server, destination
	stepPlanning             // connecting and listing (a Cmd runs)
	stepConnFail             // the diagnosis of a failed connection
	stepPlan                 // choose folders
	stepRun                  // progress; pause, resume, stop
	stepReport               // verdict, failures, file
)

// Model is the wizard. It is a value; the run's shared state (the gate,
// its cancel function, its event channel) is behind pointers so copies
// agree.
type Model struct {
	d    Deps
	p    *i18n.Printer
	keys keyMap
	w, h int
	step step
	seq  int // ID of the request in flight or the last

	providers []account.Provider
	cursor    int // in providers; len(providers) is "other"

	form     form
	dest     []account.Account // candidates for the new mailbox
	connErr  error
	connSide migrate.SideName

	plan     migrate.Plan
	selected []bool
	pcursor  int

	run     *runState
	askQuit bool // the user quit while the run goes on: asking first
	rep     migrate.Report
	rerr    error
	file    string // the readable report
	ferr    error
}

// New returns the wizard at its first step.
func New(d Deps) Model {
	if d.Printer == nil {
		d.Printer = i18n.New(i18n.EN)
	}
	if d.Config == nil {
		d.Config = &account.Config{}
	}
	if d.Context == nil {
		d.Context = context.Background()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	m := Model{d: d, p: d.Printer, keys: newKeyMap(d.Printer), providers: account.Providers(), w: 80, h: 24}
	m.dest = append(m.dest, d.Config.Accounts...)
	m.form = newForm()
	return m
}

// Init has nothing to start.
func (m Model) Init() tea.Cmd { return nil }

// SetSize sets the size View draws in.
func (m *Model) SetSize(w, h int) { m.w, m.h = max(w, 20), max(h, 8) }

// Running reports whether a migration is under way (the root may say so
// while the wizard is hidden).
func (m Model) Running() bool { return m.step == stepRun && m.run != nil && !m.run.finished }

// Status is a one-line summary of the run for the root's status bar; ""
// when nothing runs.
func (m Model) Status() string {
	if !m.Running() {
		return ""
	}
	t := m.run.totals()
	key := "mig.status.running"
	if m.run.gate.Paused() {
		key = "mig.status.paused"
	}
	return m.p.T(key, t.Done, m.run.total)
}

// Update handles keys and the results of the wizard's own Cmds.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case PlannedMsg:
		return m.planned(msg)
	case ProgressMsg:
		return m.progress(msg)
	case FinishedMsg:
		return m.finished(msg)
	case ReportSavedMsg:
		if msg.ID == m.seq {
			m.file, m.ferr = msg.Path, msg.Err
		}
		return m, nil
	case tea.PasteMsg:
		if m.step == stepConnect {
			m.form.insert(msg.Content)
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return m, nil
}

func (m Model) key(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if m.askQuit {
		return m.keyQuit(k)
	}
	switch m.step {
	case stepPrepare:
		return m.keyPrepare(k)
	case stepConnect:
		return m.keyConnect(k)
	case stepPlanning:
		if matches(k, m.keys.Back) {
			m.seq++ // the answer will be stale
			m.step = stepConnect
		}
		return m, nil
	case stepConnFail:
		return m.keyConnFail(k)
	case stepPlan:
		return m.keyPlan(k)
	case stepRun:
		return m.keyRun(k)
	case stepReport:
		return m.keyReport(k)
	}
	return m, nil
}

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }
