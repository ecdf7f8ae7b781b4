package cli

import (
	"context"
	"errors"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/rules/managesieve"
	"github.com/magpie-mail/magpie/store"
)

// ruleHome is where an account's rules live (rules.Home) and the store the
// command opened for it.
type ruleHome struct {
	*rules.Home
	st *store.Store // opened here; nil when not needed
}

// openRules finds where the named account's rules live and opens it. The
// store is opened (created if missing) for rules that run here, or opened
// when it exists and withStore is set.
func (s *Session) openRules(ctx context.Context, name string, withStore bool) (*ruleHome, error) {
	_, a, err := s.findAccount(name)
	if err != nil {
		return nil, err
	}
	d, closer, err := s.dialer()
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	h := &ruleHome{}
	e, discovered, sieve := a.SieveEndpoint()
	if !sieve || discovered || withStore {
		// Rules that may run here need the store; server rules only use it
		// for the folder roles (Junk, Trash).
		h.st, err = s.openStore(ctx)
	} else {
		h.st, err = s.openExistingStore(ctx)
	}
	if err != nil {
		return nil, err
	}
	if h.Home, err = rules.OpenHome(ctx, a, d, h.st); err != nil {
		h.close()
		var fe failure
		if errors.As(err, &fe) {
			return nil, err
		}
		addr := e.Addr()
		if !sieve {
			addr = ""
		}
		return nil, s.explainSieveError(addr, err)
	}
	return h, nil
}

func (s *Session) explainSieveError(addr string, err error) error {
	p := s.P
	switch {
	case addr == "":
		return s.fail(err, p.T("store.read_failed", message.SanitizeLine(err.Error())))
	case rules.IsLoginRefused(err):
		return s.fail(err, p.T("rules.sieve.login_refused", addr))
	case errors.Is(err, managesieve.ErrNoSTARTTLS):
		return s.fail(err, p.T("rules.sieve.no_starttls", addr))
	case account.IsTLSError(err):
		return s.fail(err, p.T("rules.sieve.tls", addr, message.SanitizeLine(err.Error())))
	}
	return s.fail(err, p.T("rules.sieve.failed", addr, message.SanitizeLine(err.Error())))
}

// load returns the account's rule set, explaining a failure.
func (h *ruleHome) load(ctx context.Context, s *Session, force bool) (rules.Set, error) {
	set, err := h.Load(ctx, force)
	switch {
	case errors.Is(err, rules.ErrEdited):
		return set, s.fail(err, s.P.T("rules.sieve.edited", h.Server, rules.ScriptName))
	case err != nil:
		return set, s.fail(err, s.P.T("store.read_failed", message.SanitizeLine(err.Error())))
	}
	return set, nil
}

// save writes the set back where it lives and says where.
func (h *ruleHome) save(ctx context.Context, s *Session, set rules.Set, force bool) error {
	p := s.P
	inst, err := h.Save(ctx, set, force)
	switch {
	case errors.Is(err, rules.ErrEdited):
		return s.fail(err, p.T("rules.sieve.edited", h.Server, rules.ScriptName))
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
	if h.Home != nil {
		h.Home.Close()
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
