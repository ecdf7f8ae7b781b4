// Package cli is Magpie's command-line front: subcommands with --help in
// the user's language and scriptable exit codes (0 ok, 1 failure, 2 usage).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/phases"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is everything a command touches outside itself, so that tests can
// run commands without a terminal, a real keyring or the network.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// ReadPassword prompts on the terminal without echo; nil when stdin is
	// not a terminal.
	ReadPassword func(prompt string) (string, error)
	// Secrets is the keyring; nil means the OS keyring.
	Secrets account.SecretStore
	// Discoverer finds servers for an address (its zero value uses the
	// system resolver and the network).
	Discoverer account.Discoverer
	// Dialer is the template for connections (tests set NetDial/RootCAs).
	Dialer account.Dialer
	// StdoutIsTerminal is true when Stdout is a terminal: sync then shows
	// a progress line rewritten in place.
	StdoutIsTerminal bool
	// TmuxColors says the terminal's colours as tmux offers them are still
	// to be asked (main: internal/tmuxenv kept `tmux info` out of the
	// start); the app asks without holding up its first frame.
	TmuxColors bool
	// Version is Magpie's version string.
	Version string
	// OpenApp starts the terminal app; nil means bare `magpie` prints help.
	OpenApp func(ctx context.Context, s *Session) error
	// Phases logs the start's phases (MAGPIE_PHASES); nil logs nothing.
	Phases *phases.Log
}

// Session is what every command gets: the environment, the language and
// the config location.
type Session struct {
	Env
	P          *i18n.Printer
	Paths      account.Paths
	ConfigPath string
	TracePath  string
	// StartMigration opens the app's migration wizard at once
	// (`magpie migrate wizard`).
	StartMigration bool
}

// failure is an error already explained to the user: exit 1, print nothing more.
type failure struct{ err error }

func (f failure) Error() string { return f.err.Error() }
func (f failure) Unwrap() error { return f.err }

// fail prints msg to stderr and returns an exit-1 error.
func (s *Session) fail(err error, msg string) error {
	fmt.Fprintln(s.Stderr, msg)
	return failure{err}
}

// usageError is a misuse of the command line: exit 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }

func usage(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Run runs Magpie's command line and returns the exit code.
func Run(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	if env.Secrets == nil {
		env.Secrets = account.Keyring{Getenv: env.Getenv}
	}
	s := &Session{Env: env}
	paths, pathErr := account.ResolvePaths(env.Getenv)
	s.Paths = paths
	s.ConfigPath = flagValue(args, "config")
	if s.ConfigPath == "" && pathErr == nil {
		s.ConfigPath = paths.ConfigFile()
	}
	s.P = i18n.New(detectLang(args, s))

	root := newRoot(ctx, s)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return ExitOK
	}
	var f failure
	if errors.As(err, &f) {
		return ExitFailure
	}
	if pathErr != nil && s.ConfigPath == "" {
		fmt.Fprintln(env.Stderr, s.P.T("cli.no_home"))
		return ExitFailure
	}
	fmt.Fprintln(env.Stderr, s.P.T("cli.usage_error", err))
	if cmd != nil {
		fmt.Fprintln(env.Stderr, s.P.T("cli.see_help", cmd.CommandPath()))
	}
	return ExitUsage
}

// detectLang reads --lang, then the config file's language, then LANG.
func detectLang(args []string, s *Session) i18n.Lang {
	override := flagValue(args, "lang")
	if override == "" && s.ConfigPath != "" {
		if cfg, err := account.LoadConfig(s.ConfigPath); err == nil {
			override = cfg.Language
		}
	}
	return i18n.Detect(override, s.Getenv)
}

// flagValue finds --name=value or --name value in args before cobra parses
// them: the language and config file are needed to build localized help.
func flagValue(args []string, name string) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func newRoot(ctx context.Context, s *Session) *cobra.Command {
	p := s.P
	root := &cobra.Command{
		Use:           "magpie",
		Short:         p.T("cli.root.short"),
		Long:          p.T("cli.root.long"),
		Version:       s.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if s.OpenApp == nil {
				return cmd.Help()
			}
			return s.OpenApp(ctx, s)
		},
	}
	root.SetContext(ctx)
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	// No flag shows a default: cobra would print "(default …)" in English;
	// the usage text says what the default is instead.
	pf.String("config", "", p.T("cli.flag.config", s.ConfigPath))
	pf.String("lang", "", p.T("cli.flag.lang"))
	pf.StringVar(&s.TracePath, "trace", "", p.T("cli.flag.trace"))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newAccountCmd(s), newSyncCmd(s), newStatusCmd(s), newSearchCmd(s), newMigrateCmd(s), newBackupCmd(s), newSendCmd(s), newCalendarCmd(s), newVersionCmd(s))
	root.AddCommand(newRulesCmd(s), newSenderListCmd(s, false), newSenderListCmd(s, true), newVacationCmd(s))
	addDemoFlag(ctx, root, s)
	localizeHelp(root, p)
	return root
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usage("unexpected argument %q", args[0])
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usage("want %d argument(s), got %d", n, len(args))
		}
		return nil
	}
}

func newVersionCmd(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: s.P.T("cli.version.short"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(s.Stdout, "magpie "+s.Version)
			return nil
		},
	}
}

// loadConfig reads the config, explaining a broken one.
func (s *Session) loadConfig() (*account.Config, error) {
	cfg, err := account.LoadConfig(s.ConfigPath)
	if err != nil {
		return nil, s.fail(err, explainConfigError(s.P, err))
	}
	return cfg, nil
}

// dialer returns the connection template with tracing applied. The caller
// closes the returned closer.
func (s *Session) dialer() (*account.Dialer, io.Closer, error) {
	d := s.Dialer
	d.Secrets = s.Secrets
	if d.Version == "" {
		d.Version = s.Version
	}
	if s.TracePath == "" {
		return &d, io.NopCloser(nil), nil
	}
	f, err := os.OpenFile(s.TracePath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, s.fail(err, s.P.T("cli.trace_open_failed", s.TracePath, err))
	}
	d.Trace = f
	return &d, f, nil
}
