package migrate

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
)

// SideName says which end of a migration an error concerns.
type SideName string

const (
	SideSource SideName = "source"
	SideDest   SideName = "destination"
)

// ConnError means connecting to one side failed; Err is the account
// package's error (see account.Diagnose).
type ConnError struct {
	Side SideName
	Err  error
}

func (e *ConnError) Error() string { return fmt.Sprintf("migrate: connect to %s: %v", e.Side, e.Err) }
func (e *ConnError) Unwrap() error { return e.Err }

// FailReason classifies why the destination refused a message.
type FailReason string

const (
	// ReasonTooBig: over the destination's size limit (RFC 7889 [TOOBIG],
	// Exmail's "Mail length N exceeded!").
	ReasonTooBig FailReason = "too-big"
	// ReasonOverQuota: the destination mailbox is full (RFC 9208 §4.3.2
	// [OVERQUOTA]).
	ReasonOverQuota FailReason = "over-quota"
	// ReasonRejected: any other refusal of the APPEND.
	ReasonRejected FailReason = "rejected"
)

var (
	textTooBig    = regexp.MustCompile(`(?i)mail length \d+ exceeded|too (big|large)|size limit|exceeds.*(size|limit)`)
	textOverQuota = regexp.MustCompile(`(?i)quota|mailbox (is )?full|容量|空间不足`)
	textBusy      = regexp.MustCompile(`(?i)try again later|server busy|system is busy|throttl|系统繁忙`)
)

// refusal classifies a destination's NO/BAD to an APPEND; ok is false when
// err is not such an answer (or is one worth retrying).
func refusal(err error) (reason FailReason, detail string, ok bool) {
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type == imap.StatusResponseTypeBye || transientIMAP(ie) {
		return "", "", false
	}
	detail = strings.TrimSpace(ie.Text)
	if ie.Code != "" {
		detail = "[" + string(ie.Code) + "] " + detail
	}
	if len(detail) > 300 {
		detail = detail[:300]
	}
	switch {
	case ie.Code == imap.ResponseCodeTooBig || textTooBig.MatchString(ie.Text):
		return ReasonTooBig, detail, true
	case ie.Code == imap.ResponseCodeOverQuota || textOverQuota.MatchString(ie.Text):
		return ReasonOverQuota, detail, true
	}
	return ReasonRejected, detail, true
}

func transientIMAP(ie *imap.Error) bool {
	return ie.Type == imap.StatusResponseTypeBye || ie.Code == imap.ResponseCodeUnavailable ||
		ie.Code == imap.ResponseCodeInUse || textBusy.MatchString(ie.Text)
}

// transient reports whether err is worth a reconnect and a retry: a lost
// connection, a timeout, BYE, [UNAVAILABLE]; not a refusal, a wrong
// password or a cancelled context.
func transient(err error) bool {
	if err == nil || errors.Is(err, errJournal) {
		return false
	}
	var ce *ConnError
	if errors.As(err, &ce) {
		switch account.Diagnose(ce.Err).Problem {
		case account.ProblemTimeout, account.ProblemRefused, account.ProblemUnavailable, account.ProblemNoGreeting:
			return true
		}
		return false
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return transientIMAP(ie)
	}
	return true // I/O, timeouts, "connection closed"
}

// errJournal marks journal failures, which are never retried.
var errJournal = errors.New("migrate: journal")
