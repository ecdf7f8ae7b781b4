package cli

import (
	"context"
	"errors"
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/internal/demo"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/ui/app"
)

// addDemoFlag gives the root command --demo: bare `magpie --demo` then
// runs the app on the demo (package internal/demo) instead of the user's
// config. Subcommands do not take the flag.
func addDemoFlag(ctx context.Context, root *cobra.Command, s *Session) {
	var on bool
	root.Flags().BoolVar(&on, "demo", false, s.P.T("cli.flag.demo"))
	next := root.RunE
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if !on {
			return next(cmd, args)
		}
		if cmd.Flags().Changed("config") {
			return usageError{errors.New(s.P.T("demo.config_flag"))}
		}
		return s.demo(ctx, s.runApp)
	}
}

// demoApp runs the app on deps until the user quits or ctx ends:
// app.Run in Magpie, a stand-in in tests.
type demoApp func(ctx context.Context, deps app.Deps) error

// demo runs the demo: a temporary directory, the demo's servers, config,
// secrets and store in it, one running engine per account, and run on
// top. When run returns (or ctx ends) it stops the engines and waits for
// them, stops the servers and removes the directory. The user's config
// and keyring are never used: the accounts' passwords live in memory.
func (s *Session) demo(ctx context.Context, run demoApp) error {
	p := s.P
	dir, err := os.MkdirTemp("", "magpie-demo-")
	if err != nil {
		return s.fail(err, p.T("demo.start_failed", message.SanitizeLine(err.Error())))
	}
	removeDir := func() error {
		if err := os.RemoveAll(dir); err != nil {
			return s.fail(err, p.T("demo.cleanup_failed", dir, message.SanitizeLine(err.Error())))
		}
		return nil
	}
	d, err := demo.Start(ctx, dir)
	if err != nil {
		if ctx.Err() != nil { // Ctrl-C while starting
			return removeDir()
		}
		return errors.Join(s.fail(err, p.T("demo.start_failed", message.SanitizeLine(err.Error()))), removeDir())
	}
	dialer := *d.Dialer
	dialer.Version = s.Version
	if s.TracePath != "" {
		f, err := os.OpenFile(s.TracePath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return errors.Join(s.fail(err, p.T("cli.trace_open_failed", s.TracePath, err)), d.Close(), removeDir())
		}
		defer f.Close()
		dialer.Trace = f
	}

	engines, group := startEngines(ctx, d.Config.Accounts, &dialer, d.Store)
	// The demo sends too: through its own SMTP server, which delivers to
	// its mailboxes.
	appErr := run(ctx, app.Deps{Config: d.Config, Store: d.Store, Engines: engines, Events: group.events, Printer: p,
		Notify: desktopNotifier(), Open: desktopOpener(), Dialer: &dialer, TmuxColors: s.TmuxColors && s.StdoutIsTerminal,
		Started: group.release})
	group.stop()
	closeErr := d.Close()
	if appErr != nil && !(errors.Is(appErr, context.Canceled) && ctx.Err() != nil) {
		return errors.Join(s.fail(appErr, p.T("demo.app_failed", message.SanitizeLine(appErr.Error()))), removeDir())
	}
	if err := removeDir(); err != nil {
		return err
	}
	if closeErr != nil {
		return s.fail(closeErr, p.T("demo.stop_failed", message.SanitizeLine(closeErr.Error())))
	}
	return nil
}

// runApp runs the terminal app on the session's streams (the terminal, in
// Magpie) until the user quits or ctx ends.
func (s *Session) runApp(ctx context.Context, deps app.Deps) error {
	var opts []tea.ProgramOption
	if s.Stdin != nil {
		opts = append(opts, tea.WithInput(s.Stdin))
	}
	if s.Stdout != nil {
		opts = append(opts, tea.WithOutput(s.Stdout))
	}
	return app.Run(ctx, deps, opts...)
}
