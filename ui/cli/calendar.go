package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

func newCalendarCmd(s *Session) *cobra.Command {
	p := s.P
	cmd := &cobra.Command{
		Use:   "calendar",
		Short: p.T("cli.calendar.short"),
		Long:  p.T("cli.calendar.long"),
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	atMostOne := func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 {
			return usage("want at most one account, got %d arguments", len(args))
		}
		return nil
	}
	list := &cobra.Command{
		Use: "list [ACCOUNT]", Short: p.T("cli.calendar.list.short"), Args: atMostOne,
		RunE: func(cmd *cobra.Command, args []string) error { return s.calendarList(cmd.Context(), args) },
	}
	sync := &cobra.Command{
		Use: "sync [ACCOUNT]", Short: p.T("cli.calendar.sync.short"), Long: p.T("cli.calendar.sync.long"), Args: atMostOne,
		RunE: func(cmd *cobra.Command, args []string) error { return s.calendarSync(cmd.Context(), args) },
	}
	password := &cobra.Command{
		Use: "password ACCOUNT", Short: p.T("cli.calendar.password.short"), Long: p.T("cli.calendar.password.long"),
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return s.calendarPassword(cmd.Context(), args[0]) },
	}
	cmd.AddCommand(list, sync, newCalendarAgendaCmd(s), newCalendarAddCmd(s), password)
	cmd.AddCommand(newCalendarConflictsCmd(s)...)
	return cmd
}

// calendarAccounts picks the accounts to work on: the named one, or every
// account with a CalDAV binding or a provider preset.
func (s *Session) calendarAccounts(cfg *account.Config, names []string) ([]account.Account, error) {
	if len(names) > 0 {
		a, ok := cfg.Account(names[0])
		if !ok {
			return nil, s.fail(account.ErrNotFound, s.P.T("account.not_found", names[0]))
		}
		return []account.Account{a}, nil
	}
	var out []account.Account
	for _, a := range cfg.Accounts {
		if _, ok := calendar.PresetFor(a.Provider); ok || !a.CalDAV.IsZero() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, s.fail(account.ErrNotFound, s.P.T("calendar.no_accounts"))
	}
	return out, nil
}

// calendarClient builds the CalDAV client of an account and the URLs
// discovery starts from: the configured URL, else the preset's, else DNS
// SRV/TXT (RFC 6764), else the mail domain's well-known URL.
func (s *Session) calendarClient(ctx context.Context, a account.Account) (*calendar.Client, []string, calendar.Preset, error) {
	preset, _ := calendar.PresetFor(a.Provider)
	pw, err := a.CalDAVPassword(ctx, s.Secrets)
	if err != nil {
		return nil, nil, preset, err
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	if a.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pem, err := os.ReadFile(a.CAFile)
		if err != nil {
			return nil, nil, preset, fmt.Errorf("cli: ca_file: %w", err)
		}
		pool.AppendCertsFromPEM(pem)
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	}
	c := calendar.NewClient(calendar.ClientOptions{HTTP: hc, Username: a.CalDAVUsername(), Password: pw, UserAgent: preset.UserAgent})
	var starts []string
	switch {
	case a.CalDAV.URL != "":
		starts = []string{a.CalDAV.URL}
	case preset.URL != "":
		starts = []string{preset.URL}
	default:
		domain := a.Email[strings.LastIndexByte(a.Email, '@')+1:]
		if urls, err := calendar.LookupURLs(ctx, net.DefaultResolver, domain); err == nil {
			starts = urls
		}
		starts = append(starts, "https://"+domain+"/")
	}
	return c, starts, preset, nil
}

// discover tries each start URL in turn.
func discoverFrom(ctx context.Context, c *calendar.Client, starts []string) (*calendar.Discovery, error) {
	var last error
	for _, u := range starts {
		d, err := c.Discover(ctx, u)
		if err == nil {
			return d, nil
		}
		if errors.Is(err, calendar.ErrUnauthorized) {
			return nil, err
		}
		last = err
	}
	return nil, last
}

// explainCalendarError words a calendar failure for people.
func (s *Session) explainCalendarError(a account.Account, err error) string {
	p := s.P
	preset, _ := calendar.PresetFor(a.Provider)
	switch {
	case errors.Is(err, calendar.ErrUnauthorized):
		if preset.SeparatePassword {
			return p.T("calendar.err_auth_separate", a.Name)
		}
		return p.T("calendar.err_auth", a.Name)
	case errors.Is(err, calendar.ErrNoCalendars), errors.Is(err, calendar.ErrNotFound):
		return p.T("calendar.err_none", a.Name)
	case errors.Is(err, account.ErrSecretNotFound), errors.Is(err, account.ErrKeyringUnavailable), errors.Is(err, account.ErrPasswordCmd):
		return p.T("calendar.err_password", a.Name, message.SanitizeLine(err.Error()))
	case errors.Is(err, calendar.ErrReadOnly):
		return p.T("calendar.err_read_only")
	}
	var ce *calendar.ConflictError
	if errors.As(err, &ce) {
		return p.T("calendar.err_conflict")
	}
	return p.T("calendar.err_other", a.Name, message.SanitizeLine(err.Error()))
}

func (s *Session) calendarSync(ctx context.Context, names []string) error {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	accts, err := s.calendarAccounts(cfg, names)
	if err != nil {
		return err
	}
	st, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	failed := 0
	for _, a := range accts {
		if err := s.syncAccountCalendars(ctx, st, a); err != nil {
			fmt.Fprintln(s.Stderr, s.explainCalendarError(a, err))
			failed++
		}
	}
	if failed > 0 {
		return failure{fmt.Errorf("cli: %d calendar account(s) failed", failed)}
	}
	fmt.Fprintln(s.Stdout, p.T("calendar.synced"))
	return nil
}

func (s *Session) syncAccountCalendars(ctx context.Context, st *store.Store, a account.Account) error {
	p := s.P
	c, starts, preset, err := s.calendarClient(ctx, a)
	if err != nil {
		return err
	}
	if !preset.Verified && preset.Provider != "" {
		fmt.Fprintln(s.Stderr, p.T("calendar.unverified", a.Provider))
	}
	d, err := discoverFrom(ctx, c, starts)
	if err != nil {
		return err
	}
	acct, err := st.Account(ctx, a.Name)
	if err != nil {
		return err
	}
	sy := &calendar.Syncer{Client: c, Store: st, Account: acct, Loc: time.Local}
	results, err := sy.SyncAll(ctx, d.Calendars)
	for _, r := range results {
		fmt.Fprintln(s.Stdout, p.T("calendar.sync_line", a.Name, calendarName(r.Calendar), r.Fetched, r.Deleted, string(r.Method)))
	}
	return err
}

func calendarName(c store.Calendar) string {
	if c.Name != "" {
		return message.SanitizeLine(c.Name)
	}
	return message.SanitizeLine(c.URL)
}

// calendarList shows the cached calendars; it never connects.
func (s *Session) calendarList(ctx context.Context, names []string) error {
	p := s.P
	shown, err := s.eachCachedCalendar(ctx, names, func(_ *store.Store, a account.Account, c store.Calendar) (int, error) {
		flags := ""
		if c.ReadOnly {
			flags += " " + p.T("calendar.read_only")
		}
		if c.Hidden {
			flags += " " + p.T("calendar.hidden")
		}
		fmt.Fprintln(s.Stdout, p.T("calendar.list_line", a.Name, calendarName(c), c.Color, flags, message.SanitizeLine(c.URL)))
		return 1, nil
	})
	if err == nil && shown == 0 {
		fmt.Fprintln(s.Stdout, p.T("calendar.none_cached"))
	}
	return err
}

// eachCachedCalendar calls fn for every calendar the store caches of the
// named accounts (every calendar account when none), reading the store
// only, and returns the sum of what fn returned: 0 when there is no store
// yet. A store error is reported to the user here.
func (s *Session) eachCachedCalendar(ctx context.Context, names []string, fn func(st *store.Store, a account.Account, c store.Calendar) (int, error)) (int, error) {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return 0, err
	}
	accts, err := s.calendarAccounts(cfg, names)
	if err != nil {
		return 0, err
	}
	st, err := s.openExistingStore(ctx)
	if err != nil || st == nil {
		return 0, err
	}
	defer st.Close()
	total := 0
	for _, a := range accts {
		acct, err := st.Account(ctx, a.Name)
		if err != nil {
			return total, s.fail(err, p.T("sync.err_store", err))
		}
		cals, err := st.Calendars(ctx, acct)
		if err != nil {
			return total, s.fail(err, p.T("sync.err_store", err))
		}
		for _, c := range cals {
			n, err := fn(st, a, c)
			total += n
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// calendarPassword stores a separate CalDAV password (Feishu generates
// one) in the keyring and marks the account to use it.
func (s *Session) calendarPassword(ctx context.Context, name string) error {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	a, ok := cfg.Account(name)
	if !ok {
		return s.fail(account.ErrNotFound, p.T("account.not_found", name))
	}
	var pw string
	if s.ReadPassword != nil {
		pw, err = s.ReadPassword(p.T("calendar.password_prompt", name))
	} else {
		pw, err = readLine(s.Stdin)
	}
	if err != nil || strings.TrimSpace(pw) == "" {
		return s.fail(errors.New("cli: no password"), p.T("calendar.password_empty"))
	}
	if err := s.Secrets.Set(ctx, account.SecretKey(a.Name, "caldav"), strings.TrimSpace(pw)); err != nil {
		return s.fail(err, p.T("calendar.err_password", a.Name, message.SanitizeLine(err.Error())))
	}
	if !a.CalDAV.SeparatePassword {
		old := a
		a.CalDAV.SeparatePassword = true
		if err := cfg.RemoveAccount(a.Name); err != nil {
			return s.fail(err, explainConfigError(p, err))
		}
		if err := cfg.AppendAccount(a); err != nil {
			_ = cfg.AppendAccount(old) // put the account back as it was
			return s.fail(err, explainConfigError(p, err))
		}
	}
	fmt.Fprintln(s.Stdout, p.T("calendar.password_saved", a.Name))
	return nil
}

func readLine(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("cli: no input")
	}
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), nil
		}
	}
}

// calendarSyncer connects account name's CalDAV binding for writes (no
// discovery: writes go to the cached collections' URLs).
func (s *Session) calendarSyncer(ctx context.Context, cfg *account.Config, st *store.Store, name string) (*calendar.Syncer, error) {
	a, ok := cfg.Account(name)
	if !ok {
		return nil, fmt.Errorf("cli: account %q: %w", name, account.ErrNotFound)
	}
	c, _, preset, err := s.calendarClient(ctx, a)
	if err != nil {
		return nil, err
	}
	acct, err := st.Account(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	return &calendar.Syncer{Client: c, Store: st, Account: acct, Loc: time.Local, UTCOnly: preset.IgnoresTZID}, nil
}
