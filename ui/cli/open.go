package cli

import (
	"context"
	"os/exec"
	"sync"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/app"
)

// OpenTUI is what bare `magpie` runs (main sets it as Env.OpenApp): the
// local store, one running sync engine per account, and the terminal app
// until the user quits.
func OpenTUI(ctx context.Context, s *Session) error {
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()
	st, err := store.Open(ctx, s.Paths.StoreFile())
	if err != nil {
		return s.fail(err, s.P.T("app.store_failed", s.Paths.StoreFile(), message.SanitizeLine(err.Error())))
	}
	defer st.Close()
	engines, events, stop := startEngines(ctx, cfg.Accounts, d, st)
	err = s.runApp(ctx, app.Deps{
		Config: cfg, Store: st, Engines: engines, Events: events, Printer: s.P,
		Notify: desktopNotifier(), Open: desktopOpener(),
	})
	stop()
	if err != nil && ctx.Err() == nil {
		return s.fail(err, s.P.T("app.failed", message.SanitizeLine(err.Error())))
	}
	return nil
}

// startEngines runs a sync engine (Run: IDLE and polling) per account with
// their events merged into one stream for the app. stop cancels them, waits
// until every engine has returned, and closes the stream.
func startEngines(ctx context.Context, accts []account.Account, d *account.Dialer, st *store.Store) (map[string]*mailsync.Engine, chan mailsync.Event, func()) {
	ctx, cancel := context.WithCancel(ctx)
	events := make(chan mailsync.Event, 256)
	engines := make(map[string]*mailsync.Engine, len(accts))
	var wg sync.WaitGroup
	for _, a := range accts {
		e := mailsync.New(a, d, st, mailsync.Options{Bodies: a.Bodies, Events: events})
		engines[a.Name] = e
		wg.Go(func() { _ = e.Run(ctx) }) // failures reach the app as SyncError events
	}
	return engines, events, func() {
		cancel()
		wg.Wait()
		close(events)
	}
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
