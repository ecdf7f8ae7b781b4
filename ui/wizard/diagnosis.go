package wizard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// wizardFixes are the problems whose "what to do" the wizard words itself
// (wizard.fix.X), pointing at its own keys; for the others, which a probe
// with a typed password cannot meet, the command line's fix.X is used.
func wizardFixes() []account.Problem {
	return []account.Problem{
		account.ProblemWrongPassword, account.ProblemIMAPDisabled, account.ProblemUnsafeLogin,
		account.ProblemAccountLocked, account.ProblemTLS, account.ProblemNotTLS,
		account.ProblemNoGreeting, account.ProblemNoSTARTTLS, account.ProblemRefused,
		account.ProblemTimeout, account.ProblemDNS, account.ProblemUnavailable, account.ProblemUnknown,
	}
}

// fixKey is the catalogue key of what to do about problem.
func fixKey(problem account.Problem) string {
	for _, p := range wizardFixes() {
		if p == problem {
			return "wizard.fix." + string(problem)
		}
	}
	return "fix." + string(problem)
}

// explain words a connection failure as the wizard shows it: what
// happened (diag.X, with the server), what the server said, and what to
// do. It is the TUI's counterpart of ui/cli's explainDiagnosis, without
// the provider's steps, which the password step shows again. Server text
// is sanitised: it is hostile input.
//
// withFix false leaves out what to do, for a second failure that has the
// same cause as the first.
func explain(p *i18n.Printer, name string, d account.Diagnosis, withFix bool) []string {
	out := []string{p.T("diag.what") + p.T("diag."+string(d.Problem), d.Endpoint.Addr())}
	if d.ServerText != "" {
		out = append(out, p.T("diag.server_said", message.SanitizeLine(d.ServerText)))
	}
	if d.Problem == account.ProblemUnknown && d.Err != nil {
		out = append(out, p.T("diag.detail", message.SanitizeLine(d.Err.Error())))
	}
	if !withFix {
		return out
	}
	fix := fixKey(d.Problem)
	if strings.HasPrefix(fix, "wizard.") {
		return append(out, p.T("diag.fix")+p.T(fix))
	}
	return append(out, p.T("diag.fix")+p.T(fix, name))
}

// explainSaveError words why saving failed: the config (configFailed)
// or the keyring.
func explainSaveError(p *i18n.Printer, name string, err error, configFailed bool) []string {
	var fe *account.FieldError
	switch {
	case configFailed && errors.As(err, &fe):
		return []string{p.T("account.field_error", fe.Field, message.SanitizeLine(fe.Err.Error()))}
	case configFailed:
		return []string{p.T("config.io_error", message.SanitizeLine(err.Error()))}
	case errors.Is(err, account.ErrKeyringUnavailable):
		return []string{p.T("account.keyring.unavailable", name)}
	}
	return []string{p.T("account.keyring.failed", message.SanitizeLine(fmt.Sprint(err)))}
}
