// Package account holds Magpie's accounts: their configuration, identities,
// provider presets, autodiscovery, secrets, and the one place that turns an
// account into authenticated IMAP and SMTP connections.
//
// It never words anything for people: errors are typed so that package ui can
// explain them in the user's language.
package account

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// Kind is what an account is to its member.
type Kind string

const (
	// KindMember is a person's own mailbox.
	KindMember Kind = "member"
	// KindBusiness is a shared mailbox (sales@, hr@) with its own client
	// password; several members may add it.
	KindBusiness Kind = "business"
)

// ParseKind parses a kind; the empty string means KindMember.
func ParseKind(s string) (Kind, error) {
	switch Kind(strings.ToLower(strings.TrimSpace(s))) {
	case "", KindMember:
		return KindMember, nil
	case KindBusiness:
		return KindBusiness, nil
	}
	return "", fmt.Errorf("%w: kind %q (want member or business)", ErrInvalidValue, s)
}

// IdentityKind says how an address belongs to an account.
type IdentityKind string

const (
	IdentityPrimary IdentityKind = "primary" // the account's own address
	IdentityAlias   IdentityKind = "alias"   // a send-as alias of the same mailbox
	IdentityGroup   IdentityKind = "group"   // a mail group the member may send as
)

// MaxAliases is how many aliases one account may have; enterprise providers
// (Exmail, NetEase qiye) allow up to five per member.
const MaxAliases = 5

// Identity is an address the member can send as. Mail addressed to any
// identity of an account belongs to that account.
type Identity struct {
	Address string
	Name    string // display name; empty means the account's display name
	Kind    IdentityKind
	// SignatureNew and SignatureReply are the plain-text signatures (without
	// the "-- " line) for new mail and for replies and forwards, as Exmail
	// keeps them apart. Empty: none.
	SignatureNew, SignatureReply string
}

// Account is one configured mailbox. It holds no secret: the password comes
// from the keyring or from PasswordCmd.
type Account struct {
	Name        string // the user's short name for it, unique in the config
	Email       string
	DisplayName string
	Kind        Kind
	Provider    string // preset ID, "" when servers were given by hand or discovered

	// Username is the authentication identity (whose password is used);
	// empty means Email.
	Username string
	// AuthorizeAs is the SASL authorization identity (RFC 4616): the mailbox
	// to act as when Username is a delegate or master user. Empty: none.
	AuthorizeAs string
	// PasswordCmd, when set, is run with sh -c and its first output line is
	// the password; the keyring is not used.
	PasswordCmd string
	// CAFile is an extra PEM bundle trusted for this account's servers.
	CAFile string

	IMAP, SMTP, POP3 Endpoint
	// MaxConnections bounds concurrent IMAP connections; 0 means the
	// provider's preset or 4.
	MaxConnections int
	// Bodies is which message bodies sync downloads (the zero value: all).
	Bodies BodyPolicy
	// Sieve is where the account's ManageSieve server is (zero: discover).
	Sieve SieveSetting

	Aliases []Identity
	Groups  []Identity

	// SignatureNew and SignatureReply belong to the primary identity.
	SignatureNew, SignatureReply string
	// SentCopy says who files sent mail in Sent (see SentCopyPolicy).
	SentCopy SentCopy
	// CalDAV is the calendar binding (see CalDAV).
	CalDAV CalDAV
}

// LoginName is the authentication identity used to log in.
func (a Account) LoginName() string {
	if a.Username != "" {
		return a.Username
	}
	return a.Email
}

// Identities lists the primary address, then aliases, then groups.
func (a Account) Identities() []Identity {
	ids := make([]Identity, 0, 1+len(a.Aliases)+len(a.Groups))
	ids = append(ids, Identity{Address: a.Email, Name: a.DisplayName, Kind: IdentityPrimary,
		SignatureNew: a.SignatureNew, SignatureReply: a.SignatureReply})
	ids = append(ids, a.Aliases...)
	return append(ids, a.Groups...)
}

// Owns reports whether addr is one of the account's identities (case-insensitive).
func (a Account) Owns(addr string) bool {
	for _, id := range a.Identities() {
		if strings.EqualFold(id.Address, addr) {
			return true
		}
	}
	return false
}

// Connections is the connection budget for this account.
func (a Account) Connections() int {
	if a.MaxConnections > 0 {
		return a.MaxConnections
	}
	if p, ok := LookupProvider(a.Provider); ok && p.MaxConnections > 0 {
		return p.MaxConnections
	}
	return 4
}

// Quirks returns the server behaviours to work around for this account.
func (a Account) Quirks() Quirks {
	if p, ok := LookupProvider(a.Provider); ok {
		return p.Quirks
	}
	return Quirks{}
}

// Problems found by validation. Callers branch on them with errors.Is.
var (
	ErrMissing         = errors.New("missing value")
	ErrInvalidValue    = errors.New("invalid value")
	ErrUnknownKey      = errors.New("unknown key")
	ErrDuplicate       = errors.New("duplicate")
	ErrTooManyAliases  = errors.New("too many aliases")
	ErrUnknownProvider = errors.New("unknown provider")
	ErrNotFound        = errors.New("no such account")
)

// FieldError is a validation problem in one field of an account.
type FieldError struct {
	Field string // the config key, e.g. "imap.security" or "alias[2].address"
	Err   error  // wraps one of the Err… values above
}

func (e *FieldError) Error() string { return "account: " + e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// ValidName reports whether s can name an account: letters (any script),
// digits, and . _ - @, at most 64 characters.
func ValidName(s string) bool {
	if s == "" || len([]rune(s)) > 64 {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
			return false
		}
	}
	return true
}

// ValidAddress reports whether s is a bare addr-spec (RFC 5322 §3.4.1).
func ValidAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

// Validate checks an account and returns the first problem as a *FieldError.
func (a Account) Validate() error {
	bad := func(field string, err error) error { return &FieldError{Field: field, Err: err} }
	if a.Name == "" {
		return bad("name", ErrMissing)
	}
	if !ValidName(a.Name) {
		return bad("name", fmt.Errorf("%w: %q (letters, digits, . _ - @)", ErrInvalidValue, a.Name))
	}
	if a.Email == "" {
		return bad("email", ErrMissing)
	}
	if !ValidAddress(a.Email) {
		return bad("email", fmt.Errorf("%w: %q is not an email address", ErrInvalidValue, a.Email))
	}
	if a.Kind != KindMember && a.Kind != KindBusiness {
		return bad("kind", fmt.Errorf("%w: %q", ErrInvalidValue, a.Kind))
	}
	if a.Provider != "" {
		if _, ok := LookupProvider(a.Provider); !ok {
			return bad("provider", fmt.Errorf("%w: %q", ErrUnknownProvider, a.Provider))
		}
	}
	if a.IMAP.IsZero() && a.POP3.IsZero() {
		return bad("imap", ErrMissing)
	}
	if err := a.CalDAV.validate(); err != nil {
		return err
	}
	for field, e := range map[string]Endpoint{"imap": a.IMAP, "smtp": a.SMTP, "pop3": a.POP3} {
		if err := checkEndpoint(e); err != nil {
			return bad(field+"."+err.field, err.err)
		}
	}
	if a.Bodies.Mode == BodiesRecent && a.Bodies.Days <= 0 {
		return bad("bodies", fmt.Errorf("%w: recent:%d", ErrInvalidValue, a.Bodies.Days))
	}
	if _, err := ParseSentCopy(string(a.SentCopy)); err != nil {
		return bad("sent_copy", err)
	}
	if a.MaxConnections < 0 {
		return bad("max_connections", fmt.Errorf("%w: %d", ErrInvalidValue, a.MaxConnections))
	}
	if len(a.Aliases) > MaxAliases {
		return bad("alias", fmt.Errorf("%w: %d (at most %d)", ErrTooManyAliases, len(a.Aliases), MaxAliases))
	}
	seen := map[string]bool{strings.ToLower(a.Email): true}
	for i, id := range append(append([]Identity{}, a.Aliases...), a.Groups...) {
		field := fmt.Sprintf("alias[%d].address", i+1)
		if i >= len(a.Aliases) {
			field = fmt.Sprintf("group[%d].address", i-len(a.Aliases)+1)
		}
		if !ValidAddress(id.Address) {
			return bad(field, fmt.Errorf("%w: %q is not an email address", ErrInvalidValue, id.Address))
		}
		if seen[strings.ToLower(id.Address)] {
			return bad(field, fmt.Errorf("%w: %s", ErrDuplicate, id.Address))
		}
		seen[strings.ToLower(id.Address)] = true
	}
	return nil
}

type endpointProblem struct {
	field string
	err   error
}

func checkEndpoint(e Endpoint) *endpointProblem {
	if e.IsZero() {
		return nil
	}
	if e.Host == "" {
		return &endpointProblem{"host", ErrMissing}
	}
	if e.Port <= 0 || e.Port > 65535 {
		return &endpointProblem{"port", fmt.Errorf("%w: port %d", ErrInvalidValue, e.Port)}
	}
	if _, err := ParseSecurity(string(e.Security)); err != nil {
		return &endpointProblem{"security", fmt.Errorf("%w: security %q (want tls, starttls or insecure-plain)", ErrInvalidValue, e.Security)}
	}
	return nil
}
