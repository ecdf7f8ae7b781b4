package cli

import (
	"context"
	"os/exec"
	"sync"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/app"
)

// OpenTUI is what bare `magpie` runs (main sets it as Env.OpenApp): the
// local store, one running sync engine per account, and the terminal app
// until the user quits.
func OpenTUI(ctx context.Context, s *Session) error {
	s.Phases.Mark("cli: OpenTUI")
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	s.Phases.Mark("cli: config loaded")
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()
	st, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	s.Phases.Mark("cli: store open")
	engines, group := startEngines(ctx, cfg.Accounts, d, st)
	s.Phases.Mark("cli: engines started")
	// Drafts saved but not on the server (the app was killed or quit
	// offline) go up, once the app's first frame is drawn (as the engines
	// start). Scheduled and offline mail is the app's to send (it says in
	// the status bar what left).
	obCtx, obStop := context.WithCancel(ctx)
	var obDone sync.WaitGroup
	obDone.Go(func() {
		select {
		case <-group.gate:
		case <-obCtx.Done():
			return
		}
		ob := &outbox.Outbox{Store: st, Dialer: d}
		_ = ob.UploadPendingDrafts(obCtx, cfg.Accounts)
	})
	err = s.runApp(ctx, app.Deps{
		Config: cfg, Store: st, Engines: engines, Events: group.events, Printer: s.P,
		Notify: desktopNotifier(), Open: desktopOpener(),
		Secrets: s.Secrets, Dialer: d, AddAccount: group.add,
		DataDir: s.Paths.DataDir, StartMigration: s.StartMigration,
		TmuxColors: s.TmuxColors && s.StdoutIsTerminal,
		Phases:     s.Phases,
		Started:    group.release,
		Calendars: func(ctx context.Context, name string) (*calendar.Syncer, error) {
			return s.calendarSyncer(ctx, cfg, st, name)
		},
	})
	obStop()
	obDone.Wait()
	group.stop()
	if err != nil && ctx.Err() == nil {
		return s.fail(err, s.P.T("app.failed", message.SanitizeLine(err.Error())))
	}
	return nil
}

// engineGroup runs one sync engine (Run: IDLE and polling) per account,
// their events merged into one stream for the app. The engines run once
// release is called (the app's Deps.Started: its first frame is drawn
// from the store before anything touches the network or writes).
// Accounts may be added while it runs (the setup wizard); stop cancels
// every engine, waits until each has returned, and closes the stream.
type engineGroup struct {
	ctx    context.Context
	cancel context.CancelFunc
	d      *account.Dialer
	st     *store.Store
	events chan mailsync.Event
	wg     sync.WaitGroup
	gate   chan struct{} // closed by release
	once   sync.Once
}

func startEngines(ctx context.Context, accts []account.Account, d *account.Dialer, st *store.Store) (map[string]*mailsync.Engine, *engineGroup) {
	g := &engineGroup{d: d, st: st, events: make(chan mailsync.Event, 256), gate: make(chan struct{})}
	g.ctx, g.cancel = context.WithCancel(ctx)
	engines := make(map[string]*mailsync.Engine, len(accts))
	for _, a := range accts {
		engines[a.Name] = g.add(a)
	}
	return engines, g
}

// add starts syncing a; the caller keeps the engine (the app's map is the
// app's: the group holds none, so nothing is shared across goroutines).
func (g *engineGroup) add(a account.Account) *mailsync.Engine {
	e, run := newRulesEngine(g.ctx, a, g.d, g.st, mailsync.Options{Bodies: a.Bodies, Events: g.events}, &g.wg)
	g.wg.Go(func() {
		select {
		case <-g.gate:
		case <-g.ctx.Done():
			return
		}
		_ = run(g.ctx) // failures reach the app as SyncError events
	})
	return e
}

// release lets the engines run (and those added later at once).
func (g *engineGroup) release() { g.once.Do(func() { close(g.gate) }) }

func (g *engineGroup) stop() {
	g.cancel()
	g.wg.Wait()
	close(g.events)
}

// desktopNotifier uses notify-send (libnotify) when it is installed.
func desktopNotifier() func(title, body string) {
	bin, err := exec.LookPath("notify-send")
	if err != nil {
		return nil
	}
	return func(title, body string) {
		cmd := exec.Command(bin, "--app-name=Magpie", "--", title, body)
		if cmd.Start() == nil {
			go cmd.Wait()
		}
	}
}

// desktopOpener opens files with the desktop's handler (xdg-open).
func desktopOpener() func(path string) error {
	bin, err := exec.LookPath("xdg-open")
	if err != nil {
		return nil
	}
	return func(path string) error {
		cmd := exec.Command(bin, path) // path is absolute, so never read as an option
		if err := cmd.Start(); err != nil {
			return err
		}
		go cmd.Wait()
		return nil
	}
}
