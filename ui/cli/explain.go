package cli

import (
	"errors"
	"strings"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// reason words one of account's validation errors.
func reason(p *i18n.Printer, err error) string {
	switch {
	case errors.Is(err, account.ErrUnknownKey):
		return p.T("config.unknown_key")
	case errors.Is(err, account.ErrMissing):
		return p.T("config.missing")
	case errors.Is(err, account.ErrDuplicate):
		return p.T("config.duplicate", err)
	case errors.Is(err, account.ErrTooManyAliases):
		return p.T("config.too_many_aliases", account.MaxAliases)
	case errors.Is(err, account.ErrUnknownProvider):
		return p.T("config.unknown_provider", err, providerIDs())
	case errors.Is(err, account.ErrSyntax):
		return p.T("config.syntax", err)
	}
	return p.T("config.invalid", err)
}

// explainConfigError says where the config is broken and how to fix it.
func explainConfigError(p *i18n.Printer, err error) string {
	var ce *account.ConfigError
	if errors.As(err, &ce) {
		where := ce.File
		if ce.Line > 0 {
			where = p.T("config.where_line", ce.File, ce.Line)
		}
		if ce.Key != "" {
			return p.T("config.error_key", where, ce.Key, reason(p, ce.Err))
		}
		return p.T("config.error", where, reason(p, ce.Err))
	}
	var fe *account.FieldError
	if errors.As(err, &fe) {
		return explainFieldError(p, err)
	}
	return p.T("config.io_error", err)
}

func explainFieldError(p *i18n.Printer, err error) string {
	var fe *account.FieldError
	if errors.As(err, &fe) {
		return p.T("account.field_error", fe.Field, reason(p, fe.Err))
	}
	return p.T("config.invalid", err)
}

// explainDiscovery lists what autodiscovery tried.
func explainDiscovery(p *i18n.Printer, err error) string {
	var de *account.DiscoveryError
	if !errors.As(err, &de) {
		return p.T("discover.failed", err)
	}
	var b strings.Builder
	b.WriteString(p.T("discover.none", de.Email))
	for _, a := range de.Tried {
		b.WriteString("\n  - " + a.Method + " " + a.Target)
		if a.Err != nil {
			b.WriteString(": " + message.SanitizeLine(a.Err.Error()))
		}
	}
	b.WriteString("\n" + p.T("discover.fix"))
	return b.String()
}

// explainDiagnosis says what went wrong and what to do next.
func explainDiagnosis(p *i18n.Printer, a account.Account, d account.Diagnosis) string {
	var b strings.Builder
	server := d.Endpoint.Addr()
	b.WriteString("  " + p.T("diag.what") + p.T("diag."+string(d.Problem), server))
	if d.ServerText != "" {
		b.WriteString("\n  " + p.T("diag.server_said", message.SanitizeLine(d.ServerText)))
	}
	if d.Problem == account.ProblemUnknown && d.Err != nil {
		b.WriteString("\n  " + p.T("diag.detail", message.SanitizeLine(d.Err.Error())))
	}
	b.WriteString("\n  " + p.T("diag.fix") + p.T("fix."+string(d.Problem), a.Name))
	if pr, ok := account.LookupProvider(a.Provider); ok {
		switch d.Problem {
		case account.ProblemWrongPassword, account.ProblemIMAPDisabled, account.ProblemUnsafeLogin, account.ProblemAccountLocked:
			steps := p.Pick(pr.AppPassword.ZH, pr.AppPassword.EN)
			if steps != "" {
				b.WriteString("\n  " + p.T("diag.provider_steps", p.Pick(pr.Name.ZH, pr.Name.EN)))
				for _, l := range strings.Split(steps, "\n") {
					b.WriteString("\n    " + l)
				}
			}
			if pr.HelpURL != "" {
				b.WriteString("\n  " + p.T("diag.help_url", pr.HelpURL))
			}
		}
	}
	return b.String()
}
