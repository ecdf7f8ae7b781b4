package account

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"regexp"
	"strings"
	"syscall"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-smtp"
)

// Problem is the cause of a failed connection, as the user needs to hear it.
type Problem string

const (
	ProblemWrongPassword Problem = "wrong-password" // credentials refused (most often: not the client password)
	ProblemIMAPDisabled  Problem = "imap-disabled"  // IMAP/SMTP not switched on for the mailbox
	ProblemUnsafeLogin   Problem = "unsafe-login"   // NetEase refuses clients that sent no IMAP ID
	ProblemAccountLocked Problem = "account-locked" // locked, frozen or rate-limited by the provider
	ProblemTLS           Problem = "tls"            // certificate or handshake failure
	ProblemNotTLS        Problem = "not-tls"        // TLS configured, but the port speaks plaintext
	ProblemNoGreeting    Problem = "no-greeting"    // nothing answered: often a TLS port used without TLS
	ProblemNoSTARTTLS    Problem = "no-starttls"    // the server offers no STARTTLS
	ProblemRefused       Problem = "refused"        // connection refused: wrong port or host down
	ProblemTimeout       Problem = "timeout"        // no answer in time
	ProblemDNS           Problem = "dns"            // host name not found
	ProblemNoPassword    Problem = "no-password"    // nothing in the keyring for the account
	ProblemKeyring       Problem = "keyring"        // no OS keyring reachable
	ProblemPasswordCmd   Problem = "password-cmd"   // password_cmd failed
	ProblemUnavailable   Problem = "unavailable"    // server busy / too many connections
	ProblemAuthzid       Problem = "authzid"        // delegated login not possible on this server
	ProblemCanceled      Problem = "canceled"       // the user stopped it
	ProblemUnknown       Problem = "unknown"
)

// Diagnosis explains a connection failure: what went wrong, where, and
// what the server said. Package ui words it for people.
type Diagnosis struct {
	Problem  Problem
	Protocol string // "imap", "smtp", "pop3" or ""
	Stage    Stage
	Endpoint Endpoint
	// ServerText is the server's own words (single line, at most 300
	// bytes); it may be shown to the user after sanitising.
	ServerText string
	Err        error
}

var (
	textUnsafeLogin = regexp.MustCompile(`(?i)unsafe login`)
	textLocked      = regexp.MustCompile(`(?i)locked|frozen|suspend|disabled account|account is abnormal|too many|frequency|冻结|锁定|频繁|异常`)
	textDisabled    = regexp.MustCompile(`(?i)(imap|pop3?|smtp)[^.]*(disabled|not (be )?(enabled|open)|is closed)|not enabled for (imap|pop|smtp)|service is not open|未开启|未开通|没有开启`)
	textPassword    = regexp.MustCompile(`(?i)password|passerr|authorization code|密码|授权码`)
	textUnavailable = regexp.MustCompile(`(?i)maximum number of connections|too many connections|try again later|server busy|system is busy|系统繁忙`)
)

// Diagnose classifies err, typically a *ConnError from DialIMAP/DialSMTP.
func Diagnose(err error) Diagnosis {
	d := Diagnosis{Problem: ProblemUnknown, Err: err}
	var ce *ConnError
	if errors.As(err, &ce) {
		d.Protocol, d.Stage, d.Endpoint = ce.Protocol, ce.Stage, ce.Endpoint
	}
	var ie *imap.Error
	var se *smtp.SMTPError
	switch {
	case errors.As(err, &ie):
		d.ServerText = oneLine(ie.Text)
	case errors.As(err, &se):
		d.ServerText = oneLine(se.Message)
	}
	d.Problem = classify(err, d, ie, se)
	return d
}

func classify(err error, d Diagnosis, ie *imap.Error, se *smtp.SMTPError) Problem {
	switch {
	case errors.Is(err, context.Canceled):
		return ProblemCanceled
	case errors.Is(err, ErrSecretNotFound):
		return ProblemNoPassword
	case errors.Is(err, ErrKeyringUnavailable):
		return ProblemKeyring
	case errors.Is(err, ErrPasswordCmd):
		return ProblemPasswordCmd
	case errors.Is(err, ErrNoSTARTTLS):
		return ProblemNoSTARTTLS
	case errors.Is(err, ErrNoAuthzid):
		return ProblemAuthzid
	case errors.As(err, new(tls.RecordHeaderError)):
		return ProblemNotTLS
	case IsTLSError(err) || d.Stage == StageTLS:
		return ProblemTLS
	case d.Stage == StageDNS:
		return ProblemDNS
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && !dnsErr.IsTimeout {
		return ProblemDNS
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return ProblemRefused
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err) {
		if d.Stage == StageGreeting {
			return ProblemNoGreeting
		}
		return ProblemTimeout
	}
	text := d.ServerText
	if text == "" {
		text = err.Error()
	}
	if textUnsafeLogin.MatchString(text) {
		return ProblemUnsafeLogin
	}
	if ie != nil {
		switch ie.Code {
		case imap.ResponseCodeUnavailable:
			return ProblemUnavailable
		case imap.ResponseCodeContactAdmin:
			return ProblemAccountLocked
		}
	}
	disabled, locked, password := textDisabled.MatchString(text), textLocked.MatchString(text), textPassword.MatchString(text)
	busy := textUnavailable.MatchString(text)
	switch {
	case count(disabled, locked, password, busy) > 1:
		// Tencent answers one sentence for every cause ("account is
		// abnormal, service is not open, password is incorrect…"): the
		// usual one is the web password used instead of the client
		// password, and the provider steps shown with it cover the rest.
		return ProblemWrongPassword
	case busy:
		return ProblemUnavailable
	case disabled:
		return ProblemIMAPDisabled
	case locked:
		return ProblemAccountLocked
	case password, se != nil && (se.Code == 535 || se.Code == 534):
		return ProblemWrongPassword
	case d.Stage == StageLogin && (ie != nil || se != nil):
		// A login refused without a recognisable reason is, in practice,
		// almost always the account password used instead of the client
		// password.
		return ProblemWrongPassword
	}
	return ProblemUnknown
}

func count(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, 300)
}
