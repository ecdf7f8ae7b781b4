package cli

import (
	"context"
	"errors"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/rules/managesieve"
	"github.com/magpie-mail/magpie/store"
)

// discoverTimeout bounds the try of a guessed ManageSieve server (the IMAP
// host's port 4190): a host without one often just drops the packets.
const discoverTimeout = 10 * time.Second

// ruleHome is where an account's rules live: on the server as Magpie's
// Sieve script (ManageSieve), or in the local store, run on this computer.
type ruleHome struct {
	acct   account.Account
	sieve  *managesieve.Client // nil: rules run on this computer
	where  string              // the ManageSieve server, host:port
	state  rules.ServerState   // what the server held when opened
	st     *store.Store        // the local store (nil when none and not needed)
	acctID store.AccountID
	opts   rules.CompileOptions // Junk and Trash from the folder roles
	// guessed is set when discovery found no ManageSieve on the IMAP host.
	guessed string
}

// openRules finds where the named account's rules live and opens it. The
// store is opened for local rules, or when withStore is set.
func (s *Session) openRules(ctx context.Context, name string, withStore bool) (*ruleHome, error) {
	p := s.P
	_, a, err := s.findAccount(name)
	if err != nil {
		return nil, err
	}
	h := &ruleHome{acct: a}
	if e, discovered, ok := a.SieveEndpoint(); ok {
		c, err := s.dialSieve(ctx, a, e, discovered)
		switch {
		case err == nil:
			h.sieve, h.where = c, e.Addr()
			if h.state, err = rules.Load(ctx, c); err != nil {
				c.Close()
				return nil, s.fail(err, p.T("rules.sieve.failed", e.Addr(), message.SanitizeLine(err.Error())))
			}
		case discovered && !isLoginRefused(err):
			h.guessed = e.Addr()
		default:
			return nil, s.explainSieveError(e.Addr(), err)
		}
	}
	if h.sieve == nil || withStore {
		if err := h.openStore(ctx, s, h.sieve == nil); err != nil {
			h.close()
			return nil, err
		}
	}
	return h, nil
}

// openStore opens the store and reads the folder roles; create says
// whether a missing store may be created (local rules are kept there).
func (h *ruleHome) openStore(ctx context.Context, s *Session, create bool) error {
	var err error
	if create {
		h.st, err = s.openStore(ctx)
	} else {
		h.st, err = s.openExistingStore(ctx)
	}
	if err != nil || h.st == nil {
		return err
	}
	if h.acctID, err = h.st.Account(ctx, h.acct.Name); err == nil {
		var folders []store.Folder
		if folders, err = h.st.Folders(ctx, h.acctID); err == nil {
			h.opts = rules.OptionsFor(folders)
		}
	}
	if err != nil {
		return s.fail(err, s.P.T("store.read_failed", message.SanitizeLine(err.Error())))
	}
	return nil
}

func (s *Session) dialSieve(ctx context.Context, a account.Account, e account.Endpoint, discovered bool) (*managesieve.Client, error) {
	d, closer, err := s.dialer()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	tlsCfg, err := d.TLSConfig(a, e.Host)
	if err != nil {
		return nil, err
	}
	password, err := a.Password(ctx, d.Secrets)
	if err != nil {
		return nil, err
	}
	o := managesieve.Options{TLS: tlsCfg, Username: a.LoginName(), AuthorizeAs: a.AuthorizeAs,
		Password: password, NetDial: d.NetDial}
	if discovered {
		o.Timeout = discoverTimeout
	}
	return managesieve.Dial(ctx, e.Addr(), o)
}

// isLoginRefused reports whether the server answered the login with NO:
// ManageSieve is there, so discovery must not quietly fall back.
func isLoginRefused(err error) bool {
	var e *managesieve.Error
	return errors.As(err, &e) && e.Command == "AUTHENTICATE"
}

func (s *Session) explainSieveError(addr string, err error) error {
	p := s.P
	var fe failure
	switch {
	case errors.As(err, &fe):
		return err
	case isLoginRefused(err):
		return s.fail(err, p.T("rules.sieve.login_refused", addr))
	case errors.Is(err, managesieve.ErrNoSTARTTLS):
		return s.fail(err, p.T("rules.sieve.no_starttls", addr))
	case account.IsTLSError(err):
		return s.fail(err, p.T("rules.sieve.tls", addr, message.SanitizeLine(err.Error())))
	}
	return s.fail(err, p.T("rules.sieve.failed", addr, message.SanitizeLine(err.Error())))
}

// load returns the account's rule set. With force, a server script that
// was edited by hand (or is not Magpie's) counts as empty: it will be
// replaced.
func (h *ruleHome) load(ctx context.Context, s *Session, force bool) (rules.Set, error) {
	if h.sieve != nil {
		set, err := h.state.CurrentSet()
		if errors.Is(err, rules.ErrEdited) && force {
			return rules.Set{}, nil
		}
		if errors.Is(err, rules.ErrEdited) {
			return set, s.fail(err, s.P.T("rules.sieve.edited", h.where, rules.ScriptName))
		}
		return set, err
	}
	set, err := rules.LoadLocal(ctx, h.st, h.acctID)
	if err != nil {
		return set, s.fail(err, s.P.T("store.read_failed", message.SanitizeLine(err.Error())))
	}
	return set, nil
}

// save writes the set back where it lives and says where.
func (h *ruleHome) save(ctx context.Context, s *Session, set rules.Set, force bool) error {
	p := s.P
	if h.sieve == nil {
		if err := rules.SaveLocal(ctx, h.st, h.acctID, set); err != nil {
			return s.fail(err, explainRuleError(p, err))
		}
		// From now on, what arrives in INBOX is new mail to the rules.
		if folders, err := h.st.Folders(ctx, h.acctID); err == nil {
			if inbox, ok := pickFolder(folders, ""); ok {
				_ = rules.StartWatermark(ctx, h.st, inbox) // best effort: without it the first sync sets it
			}
		}
		s.printWhere(h)
		return nil
	}
	inst, err := rules.Install(ctx, h.sieve, set, h.opts, force)
	switch {
	case errors.Is(err, rules.ErrEdited):
		return s.fail(err, p.T("rules.sieve.edited", h.where, rules.ScriptName))
	case rules.IsCheckError(err):
		return s.fail(err, p.T("rules.sieve.refused", message.SanitizeLine(err.Error())))
	case err != nil:
		return s.fail(err, explainRuleError(p, err))
	}
	s.printWhere(h)
	for _, name := range inst.Included {
		s.println(p.T("rules.sieve.included", message.SanitizeLine(name)))
	}
	return nil
}

func (h *ruleHome) close() {
	if h.sieve != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = h.sieve.Logout(ctx)
		cancel()
	}
	if h.st != nil {
		h.st.Close()
	}
}

// explainRuleError words a problem with a rule.
func explainRuleError(p interface{ T(string, ...any) string }, err error) string {
	var re *rules.RuleError
	switch {
	case errors.As(err, &re) && errors.Is(err, rules.ErrDuplicate):
		return p.T("rules.duplicate", re.Rule)
	case errors.As(err, &re) && errors.Is(err, rules.ErrNotFound):
		return p.T("rules.not_found", re.Rule)
	case errors.Is(err, rules.ErrInvalid), errors.Is(err, rules.ErrSyntax):
		return p.T("rules.invalid", message.SanitizeLine(err.Error()))
	}
	return p.T("rules.failed", message.SanitizeLine(err.Error()))
}
