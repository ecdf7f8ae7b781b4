package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
)

type addFlags struct {
	email, displayName, provider, kind string
	imap, smtp, pop3, security         string
	imapSecurity, smtpSecurity         string
	username, authorizeAs, caFile      string
	passwordCmd, bodies, sieve         string
	caldav, caldavUser, caldavPassCmd  string
	passwordStdin                      bool
	aliases, groups                    []string
	maxConnections                     int
}

func newAccountAddCmd(s *Session) *cobra.Command {
	var f addFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "add NAME --email ADDR",
		Short:   p.T("cli.account.add.short"),
		Long:    p.T("cli.account.add.long"),
		Example: p.T("cli.account.add.example"),
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.accountAdd(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.email, "email", "", p.T("cli.flag.email"))
	fl.StringVar(&f.displayName, "name", "", p.T("cli.flag.display_name"))
	fl.StringVar(&f.provider, "provider", "", p.T("cli.flag.provider", providerIDs()))
	fl.StringVar(&f.kind, "kind", "", p.T("cli.flag.kind"))
	fl.StringVar(&f.imap, "imap", "", p.T("cli.flag.imap"))
	fl.StringVar(&f.smtp, "smtp", "", p.T("cli.flag.smtp"))
	fl.StringVar(&f.pop3, "pop3", "", p.T("cli.flag.pop3"))
	fl.StringVar(&f.security, "security", "", p.T("cli.flag.security"))
	fl.StringVar(&f.imapSecurity, "imap-security", "", p.T("cli.flag.proto_security", "IMAP"))
	fl.StringVar(&f.smtpSecurity, "smtp-security", "", p.T("cli.flag.proto_security", "SMTP"))
	fl.StringVar(&f.username, "username", "", p.T("cli.flag.username"))
	fl.StringVar(&f.authorizeAs, "authorize-as", "", p.T("cli.flag.authorize_as"))
	fl.StringVar(&f.caFile, "ca-file", "", p.T("cli.flag.ca_file"))
	fl.StringArrayVar(&f.aliases, "alias", nil, p.T("cli.flag.alias"))
	fl.StringArrayVar(&f.groups, "group", nil, p.T("cli.flag.group"))
	fl.IntVar(&f.maxConnections, "max-connections", 0, p.T("cli.flag.max_connections"))
	fl.StringVar(&f.bodies, "bodies", "", p.T("cli.flag.account_bodies"))
	fl.StringVar(&f.sieve, "sieve", "", p.T("cli.flag.sieve"))
	fl.BoolVar(&f.passwordStdin, "password-stdin", false, p.T("cli.flag.password_stdin"))
	fl.StringVar(&f.passwordCmd, "password-cmd", "", p.T("cli.flag.password_cmd"))
	fl.StringVar(&f.caldav, "caldav", "", p.T("cli.flag.caldav"))
	fl.StringVar(&f.caldavUser, "caldav-username", "", p.T("cli.flag.caldav_user"))
	fl.StringVar(&f.caldavPassCmd, "caldav-password-cmd", "", p.T("cli.flag.caldav_pwcmd"))
	cmd.MarkFlagsMutuallyExclusive("password-stdin", "password-cmd")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func providerIDs() string {
	var ids []string
	for _, pr := range account.Providers() {
		ids = append(ids, pr.ID)
	}
	return strings.Join(ids, ", ")
}

// accountAdd builds the account from flags, a preset or discovery, stores
// the password in the keyring first and writes the config last, so that a
// failure leaves neither a config entry without its secret nor the reverse.
func (s *Session) accountAdd(ctx context.Context, name string, f addFlags) error {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	if _, exists := cfg.Account(name); exists {
		return s.fail(account.ErrDuplicate, p.T("account.exists", name))
	}
	a := account.Account{
		Name: name, Email: f.email, DisplayName: f.displayName, Provider: f.provider,
		Username: f.username, AuthorizeAs: f.authorizeAs, CAFile: f.caFile,
		PasswordCmd: f.passwordCmd, MaxConnections: f.maxConnections,
		CalDAV: account.CalDAV{URL: f.caldav, Username: f.caldavUser, PasswordCmd: f.caldavPassCmd},
	}
	if a.Kind, err = account.ParseKind(f.kind); err != nil {
		return usage("--kind: %v", err)
	}
	if a.Bodies, err = account.ParseBodyPolicy(f.bodies); err != nil {
		return usage("--bodies: %v", err)
	}
	if a.Sieve, err = account.ParseSieveSetting(f.sieve); err != nil {
		return usage("--sieve: %v", err)
	}
	for _, spec := range f.aliases {
		id, err := parseIdentity(spec, account.IdentityAlias)
		if err != nil {
			return usage("--alias: %v", err)
		}
		a.Aliases = append(a.Aliases, id)
	}
	for _, spec := range f.groups {
		id, err := parseIdentity(spec, account.IdentityGroup)
		if err != nil {
			return usage("--group: %v", err)
		}
		a.Groups = append(a.Groups, id)
	}
	if err := s.resolveServers(ctx, &a, f); err != nil {
		return err
	}
	if err := applySecurity(&a, f); err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return s.fail(err, explainFieldError(p, err))
	}
	if f.passwordCmd == "" {
		if err := s.storePassword(ctx, a, f.passwordStdin); err != nil {
			return err
		}
	}
	if err := cfg.AppendAccount(a); err != nil {
		if f.passwordCmd == "" {
			_ = s.Secrets.Delete(ctx, account.SecretKey(a.Name, ""))
		}
		return s.fail(err, explainConfigError(p, err))
	}
	fmt.Fprintln(s.Stdout, p.T("account.added", a.Name, a.Email, cfg.Path))
	fmt.Fprintln(s.Stdout, p.T("account.added.next", a.Name))
	return nil
}

// parseIdentity reads "ADDR" or "ADDR=Display Name".
func parseIdentity(spec string, kind account.IdentityKind) (account.Identity, error) {
	addr, display, _ := strings.Cut(spec, "=")
	addr = strings.TrimSpace(addr)
	if !account.ValidAddress(addr) {
		return account.Identity{}, fmt.Errorf("%q is not an email address", addr)
	}
	return account.Identity{Address: addr, Name: strings.TrimSpace(display), Kind: kind}, nil
}

// resolveServers fills the servers: explicit flags win over a preset;
// with neither, autodiscovery runs.
func (s *Session) resolveServers(ctx context.Context, a *account.Account, f addFlags) error {
	p := s.P
	if a.Provider != "" {
		pr, ok := account.LookupProvider(a.Provider)
		if !ok {
			return usage("--provider: unknown provider %q (one of: %s)", a.Provider, providerIDs())
		}
		a.IMAP, a.SMTP, a.POP3 = pr.IMAP, pr.SMTP, pr.POP3
	}
	explicit := false
	for _, e := range []struct {
		flag, value string
		dst         *account.Endpoint
	}{{"imap", f.imap, &a.IMAP}, {"smtp", f.smtp, &a.SMTP}, {"pop3", f.pop3, &a.POP3}} {
		if e.value == "" {
			continue
		}
		explicit = true
		ep, err := account.ParseEndpoint(e.value, "")
		if err != nil {
			return usage("--%s: %v", e.flag, err)
		}
		*e.dst = ep
	}
	if a.Provider == "" && !explicit {
		fmt.Fprintln(s.Stderr, p.T("account.discovering", a.Email))
		d, err := s.Discoverer.Discover(ctx, a.Email)
		if err != nil {
			return s.fail(err, explainDiscovery(p, err))
		}
		a.IMAP, a.SMTP, a.POP3, a.Provider = d.IMAP, d.SMTP, d.POP3, d.Provider
		if a.Username == "" && d.Username != "" && d.Username != a.Email {
			a.Username = d.Username
		}
		fmt.Fprintln(s.Stderr, p.T("account.discovered", d.Source, a.IMAP.Addr(), a.SMTP.Addr()))
	}
	return nil
}

// applySecurity applies --security to every server, then --imap-security
// and --smtp-security to theirs.
func applySecurity(a *account.Account, f addFlags) error {
	for _, o := range []struct {
		flag, value string
		dst         []*account.Endpoint
	}{
		{"security", f.security, []*account.Endpoint{&a.IMAP, &a.SMTP, &a.POP3}},
		{"imap-security", f.imapSecurity, []*account.Endpoint{&a.IMAP}},
		{"smtp-security", f.smtpSecurity, []*account.Endpoint{&a.SMTP}},
	} {
		if o.value == "" {
			continue
		}
		sec, err := account.ParseSecurity(o.value)
		if err != nil {
			return usage("--%s: %v", o.flag, err)
		}
		for _, e := range o.dst {
			if !e.IsZero() {
				e.Security = sec
			}
		}
	}
	return nil
}

// storePassword reads the client password (stdin or a no-echo prompt) and
// puts it in the keyring.
func (s *Session) storePassword(ctx context.Context, a account.Account, fromStdin bool) error {
	p := s.P
	var secret string
	switch {
	case fromStdin:
		b, err := io.ReadAll(io.LimitReader(s.Stdin, 64<<10))
		if err != nil {
			return s.fail(err, p.T("account.password.read_failed", err))
		}
		secret = strings.TrimRight(string(b), "\r\n")
	case s.ReadPassword != nil:
		var err error
		if secret, err = s.ReadPassword(p.T("account.password.prompt", a.Email)); err != nil {
			return s.fail(err, p.T("account.password.read_failed", err))
		}
	default:
		return usage("%s", p.T("account.password.none"))
	}
	if secret == "" {
		return s.fail(account.ErrMissing, p.T("account.password.empty"))
	}
	if err := s.Secrets.Set(ctx, account.SecretKey(a.Name, ""), secret); err != nil {
		if errors.Is(err, account.ErrKeyringUnavailable) {
			return s.fail(err, p.T("account.keyring.unavailable", a.Name))
		}
		return s.fail(err, p.T("account.keyring.failed", err))
	}
	return nil
}
