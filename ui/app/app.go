// Package app is the root model of Magpie's terminal UI: it lays out the
// sidebar, message list, reader and status bar, routes keys to the focused
// pane, reads the store in Cmds (dropping stale results by request ID),
// applies actions through the store's offline queue and shows the sync
// engines' events.
package app

import (
	"context"
	"os"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/phases"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/calview"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/composer"
	"github.com/magpie-mail/magpie/ui/components/confirm"
	"github.com/magpie-mail/magpie/ui/components/dirpicker"
	"github.com/magpie-mail/magpie/ui/components/helpview"
	"github.com/magpie-mail/magpie/ui/components/msglist"
	"github.com/magpie-mail/magpie/ui/components/outboxview"
	"github.com/magpie-mail/magpie/ui/components/picker"
	"github.com/magpie-mail/magpie/ui/components/prompt"
	"github.com/magpie-mail/magpie/ui/components/reader"
	"github.com/magpie-mail/magpie/ui/components/sidebar"
	"github.com/magpie-mail/magpie/ui/components/statusbar"
	"github.com/magpie-mail/magpie/ui/i18n"
	"github.com/magpie-mail/magpie/ui/migration"
	"github.com/magpie-mail/magpie/ui/rulescreen"
	"github.com/magpie-mail/magpie/ui/styles"
	"github.com/magpie-mail/magpie/ui/wizard"
)

// Deps is everything the TUI needs from the process that starts it.
type Deps struct {
	Config  *account.Config
	Store   *store.Store
	Engines map[string]*mailsync.Engine // by account name; may be empty (offline)
	Events  <-chan mailsync.Event       // merged events of all engines; may be nil
	Printer *i18n.Printer
	Notify  func(title, body string) // desktop notification; nil = none
	Open    func(path string) error  // open a file with the desktop handler; nil = unsupported

	// With no account, the setup wizard needs these to test and save one;
	// without them a screen says to run `magpie account add` instead.
	Secrets account.SecretStore
	Dialer  *account.Dialer
	// AddAccount starts syncing an account the wizard saved and returns
	// its engine; nil means the account syncs from the next start.
	AddAccount func(account.Account) *mailsync.Engine

	// DataDir keeps the migration wizard's journals and reports (under
	// "migrate", shared with `magpie migrate`); StartMigration opens the
	// wizard at once (`magpie migrate wizard`).
	DataDir        string
	StartMigration bool

	// Calendars connects an account's CalDAV binding for writes from the
	// calendar view; nil (or an error) keeps writes queued in the store.
	Calendars func(ctx context.Context, account string) (*calendar.Syncer, error)

	// TmuxColors asks tmux in the background whether it passes on more
	// colours than the environment says (`tmux info`), and switches the
	// program's colour profile when it does (see internal/tmuxenv).
	TmuxColors bool

	// Phases logs when the start reaches its first frame and its first
	// page (MAGPIE_PHASES); nil logs nothing.
	Phases *phases.Log

	// Started, when set, is called once the first frame is drawn (or at
	// the latest a second after the start): the caller holds back until
	// then what touches the network or writes (sync engines, draft
	// uploads), so that it does not share the CPU and the store with the
	// first frame.
	Started func()
}

type pane int

const (
	paneSidebar pane = iota
	paneList
	paneReader
)

type modal int

const (
	modalNone modal = iota
	modalHelp
	modalPicker
	modalPrompt
	modalConfirm
	modalDirs // the folder to save an attachment into
)

// Model is the root tea.Model.
type Model struct {
	d   Deps
	ctx context.Context
	c   *common.Common
	now func() time.Time
	loc *time.Location

	width, height int
	accounts      []sidebar.Account
	accountIDs    []store.AccountID // parallel to accounts
	entry         sidebar.Entry     // what the list shows
	hasEntry      bool
	search        *store.Query
	searchText    string
	order         listOrder
	threads       bool       // the thread view
	listNext      pageCursor // where the list's next page starts

	sidebar sidebar.Model
	list    msglist.Model
	reader  reader.Model
	status  statusbar.Model
	help    helpview.Model
	picker  picker.Model
	prompt  prompt.Model
	confirm confirm.Model
	dirs    dirpicker.Model
	focus   pane
	modal   modal
	pending pendingAction // what a picker, prompt or confirm was opened for

	cal *calview.Model // the calendar view, when open (calendar.go)

	invite     *InviteLoadedMsg // the invitation in the message shown (invitation.go)
	reminders  bool             // announce calendar reminders (Run: a minute tick)
	calRetry   bool             // retry queued calendar writes in the background (Run: a tick)
	calRetryAt uint64           // generation of the armed retry tick
	calBusy    bool             // a background retry runs
	calMu      *sync.Mutex      // serialises calendar writes and flushes (calWriter.lock)
	remindedTo time.Time        // reminders are announced up to here

	wizard   wizard.Model
	wizardOn bool // the wizard is showing (no account yet)

	mig        migration.Model // the migration wizard (key M)
	migOn      bool            // it is showing
	migStarted bool            // it exists (showing, or running hidden)

	obView  *outboxview.Model // the outbox panel, when open (outbox.go)
	obReq   uint64
	obBusy  bool              // a background flush runs
	obAgain bool              // flush again when it ends
	obTick  uint64            // generation of the live timer
	obDown  map[string]string // account → why its server was last unreachable (said once)
	obEvery time.Duration     // background flush period; 0: outbox.DefaultInterval; negative: none
	obCount int               // messages not sent yet (title line)

	composing  *composer.Model // the composer, full-screen, when open
	composeGen uint64
	autosave   time.Duration // the composer's autosave period; 0: its default

	rulesScr rulescreen.Model // the mail rules screen (key I)
	rulesOn  bool             // it is showing

	seq        uint64 // request IDs
	foldersReq uint64
	unread     map[string]map[store.FolderID]int // the last unread counts read, by account name
	// countsAfterPage: the unread counts are read once the first page is in.
	countsAfterPage bool
	listGen         uint64
	bodyReq         uint64

	// The start (firstframe.go): preloaded says Run read the folders and
	// the first page before the program started; preloadRest is a read
	// it left for Init, afterPreload what the first page asked next (the
	// unread counts), sent once the first frame is drawn; firstPage says
	// a first page (or its error) is in; startArmed and started say the
	// background's start is on its way and done; startFallback (Run)
	// starts it after startedFallback at the latest.
	preloaded, firstPage, startArmed, started, startFallback bool
	preloadRest, afterPreload                                tea.Cmd
}

// New returns the root model. A nil Printer means the language from the
// config or the environment.
func New(d Deps) *Model { return newModel(d, time.Now, time.Local) }

// newModel is New with a clock and time zone (tests pin both).
func newModel(d Deps, now func() time.Time, loc *time.Location) *Model {
	if d.Config == nil {
		d.Config = &account.Config{}
	}
	if d.Printer == nil {
		d.Printer = i18n.New(i18n.Detect(d.Config.Language, os.Getenv))
	}
	c := common.New(d.Printer)
	m := &Model{d: d, ctx: context.Background(), c: c, now: now, loc: loc, focus: paneList, order: newestFirst(), calMu: &sync.Mutex{}}
	m.sidebar = sidebar.New(c)
	m.list = msglist.New(c, m.now, m.loc)
	m.reader = reader.New(c, m.loc)
	m.status = statusbar.New(c)
	m.help = helpview.New(c, c.Keys)
	m.list.Focus()
	return m
}

// maxFPS is bubbletea's highest frame rate.
const maxFPS = 120

// Run runs the TUI until the user quits or ctx ends.
func Run(ctx context.Context, d Deps, opts ...tea.ProgramOption) error {
	// The app's own context ends when it does: timers and reads it started
	// stop with it instead of outliving the program.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := New(d)
	m.ctx = ctx
	m.reminders = true
	m.calRetry = true
	m.startFallback = true
	// The colour profile lipgloss detected for stdout when the program
	// started: detecting it again would run `tmux info` a second time
	// inside tmux, tens of milliseconds before the first frame. A caller
	// writing elsewhere passes its own WithColorProfile (later options win).
	//
	// Magpie's bubbletea (third_party/bubbletea, MAGPIE.md) draws a new
	// view at once when the last frame is at least a period old, and
	// leaves views that come faster to its frame ticker. 120 frames a
	// second (its maximum; the default is 60) keeps that period, and the
	// ticker's wait for a second key inside it, short; a tick with nothing
	// new to draw only compares the view with the last one.
	opts = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithColorProfile(lipgloss.Writer.Profile), tea.WithFPS(maxFPS)}, opts...)
	m.preload()
	d.Phases.Mark("app: Run")
	_, err := tea.NewProgram(m, opts...).Run()
	if ctx.Err() != nil && err != nil {
		return nil // ended by the caller
	}
	return err
}

// needsSetup reports that there is no account: the placeholder screen (the
// setup wizard's place) is shown instead of the mail panes.
func (m *Model) needsSetup() bool { return len(m.d.Config.Accounts) == 0 }

func (m *Model) next() uint64 {
	m.seq++
	return m.seq
}

// Init asks the terminal for its background, reads the folders (unless
// Run read them and the first page already: firstframe.go) and starts
// listening to the engines.
func (m *Model) Init() tea.Cmd {
	m.d.Phases.Mark("app: Init")
	tmux := m.tmuxColors()
	if m.needsSetup() {
		return tea.Batch(tea.RequestBackgroundColor, m.startWizard(), tmux)
	}
	var mig tea.Cmd
	if m.d.StartMigration {
		mig = m.openMigration()
	}
	var rem tea.Cmd
	if m.reminders {
		rem = reminderTickCmd(m.ctx)
	}
	load := m.preloadRest
	if !m.preloaded {
		load = m.reloadFolders()
	}
	var fallback tea.Cmd
	if m.startFallback {
		fallback = tickCmd(m.ctx, startedFallback, func(time.Time) tea.Msg { return startedMsg{} })
	}
	return tea.Batch(tea.RequestBackgroundColor, load, waitEventCmd(m.ctx, m.d.Events), mig, rem, m.countOutbox(), tmux,
		m.armCalendarRetry(), fallback)
}

// tmuxAskDelay is how long after the start tmux is asked for its colours:
// starting `tmux info` costs a process start, which the first page's
// frames should not share the CPU with.
const tmuxAskDelay = 200 * time.Millisecond

// tmuxColors is the Cmd of Deps.TmuxColors: the profile lipgloss found
// without asking tmux, raised to what tmux says it passes on.
func (m *Model) tmuxColors() tea.Cmd {
	if !m.d.TmuxColors || lipgloss.Writer.Profile >= colorprofile.TrueColor {
		return nil
	}
	ctx, have := m.ctx, lipgloss.Writer.Profile
	return func() tea.Msg {
		select {
		case <-time.After(tmuxAskDelay):
		case <-ctx.Done():
			return nil
		}
		if p := colorprofile.Tmux(os.Environ()); p > have {
			return tea.ColorProfileMsg{Profile: p}
		}
		return nil
	}
}

// reloadFolders reads the folders and, beside them, the unread counts —
// except at the start, when the counts wait for the first page (onPage):
// counting a big folder costs more CPU than its first page, and the first
// page is what the user waits for.
func (m *Model) reloadFolders() tea.Cmd {
	if m.d.Store == nil {
		return nil
	}
	m.foldersReq = m.next()
	folders := loadFoldersCmd(m.ctx, m.d.Store, m.foldersReq, m.configuredNames())
	if !m.hasEntry && m.unread == nil {
		m.countsAfterPage = true
		return folders
	}
	return tea.Batch(folders, m.loadUnread())
}

// loadUnread reads the unread counts that go with the last folders read.
func (m *Model) loadUnread() tea.Cmd {
	return loadUnreadCmd(m.ctx, m.d.Store, m.foldersReq, m.configuredNames())
}

// configuredNames are the configured accounts' names.
func (m *Model) configuredNames() []string {
	names := make([]string, len(m.d.Config.Accounts))
	for i, a := range m.d.Config.Accounts {
		names[i] = a.Name
	}
	return names
}

// Update routes a message: global messages first, then results to the part
// that asked, then keys and the mouse to the modal or the focused pane.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(startedMsg); ok {
		return m, m.onStarted()
	}
	_, cmd := m.route(msg)
	if arm := m.armStarted(); arm != nil {
		cmd = tea.Batch(cmd, arm)
	}
	return m, cmd
}

// route is Update for every message but the start's.
func (m *Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.wizardOn {
		return m, m.updateWizard(msg)
	}
	if cmd, ok := m.updateMigration(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.composeMsg(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.outboxMsg(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.updateRules(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.c.Styles = styles.New(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.MouseClickMsg:
		return m, m.onClick(msg.Mouse())
	case tea.MouseWheelMsg:
		return m, m.onWheel(msg)
	case tea.PasteMsg:
		if m.cal != nil {
			return m, m.onCalendar(msg)
		}
		var cmd tea.Cmd
		switch m.modal {
		case modalPrompt:
			m.prompt, cmd = m.prompt.Update(msg)
		case modalDirs:
			m.dirs, cmd = m.dirs.Update(msg)
		}
		return m, cmd
	case dirpicker.ListedMsg:
		m.dirs, _ = m.dirs.Update(msg)
		return m, nil
	case FoldersLoadedMsg:
		return m, m.onFolders(msg)
	case UnreadLoadedMsg:
		m.onUnread(msg)
		return m, nil
	case PageLoadedMsg:
		m.d.Phases.Once("app: first page read")
		return m, m.onPage(msg)
	case BodyLoadedMsg:
		m.onBody(msg)
		return m, m.inviteCheck(msg)
	case InviteLoadedMsg:
		m.onInviteLoaded(msg)
		return m, nil
	case InviteAnsweredMsg:
		return m, m.onInviteAnswered(msg)
	case SyncEventMsg:
		return m, tea.Batch(m.onEvent(msg.Event), waitEventCmd(m.ctx, m.d.Events))
	case EventsClosedMsg:
		return m, nil
	case sidebar.SelectedMsg:
		return m, m.openEntry(msg.Entry)
	case msglist.OpenedMsg:
		return m, m.openMessage(msg.Message)
	case msglist.MoreRequestedMsg:
		return m, m.loadMore()
	case msglist.ExpandRequestedMsg:
		return m, m.expandThread(msg.Thread)
	case ThreadLoadedMsg:
		m.onThread(msg)
		return m, nil
	case helpview.ClosedMsg:
		m.modal = modalNone
		return m, nil
	case calview.LoadedMsg, calview.ClosedMsg, calview.AddressesMsg:
		return m, m.onCalendar(msg)
	case calview.SaveRequestedMsg, calview.DeleteRequestedMsg, calview.ResolveRequestedMsg, calview.HiddenChangedMsg:
		return m, m.onCalendarRequest(msg)
	case CalendarWrittenMsg:
		return m, m.onCalendarWritten(msg)
	case reminderTickMsg:
		return m, m.onReminderTick(msg)
	case calRetryTickMsg:
		return m, m.onCalendarRetryTick(msg)
	case calRetriedMsg:
		return m, m.onCalendarRetried(msg)
	case RemindersDueMsg:
		return m, m.onRemindersDue(msg)
	case picker.PickedMsg, picker.CancelledMsg, prompt.SubmittedMsg, prompt.CancelledMsg, confirm.AnsweredMsg,
		dirpicker.SubmittedMsg, dirpicker.CancelledMsg:
		m.modal = modalNone
		if cmd, ok := m.onInviteDialog(msg); ok {
			return m, cmd
		}
		return m, m.onDialog(msg)
	case OpAppliedMsg:
		return m, m.onOpApplied(msg)
	case AttachmentSavedMsg, AttachmentOpenedMsg, SaveCheckedMsg:
		return m, m.onAttachment(msg)
	}
	return m, nil
}
