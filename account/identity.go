package account

import (
	"fmt"
	"strings"
)

// SentCopy says who files a copy of sent mail in the Sent folder.
type SentCopy string

const (
	// SentCopyAuto: the provider preset decides (SavesSent); without a
	// preset the outbox looks in Sent after the first send and remembers.
	SentCopyAuto SentCopy = ""
	// SentCopyClient: Magpie appends the copy (IMAP APPEND).
	SentCopyClient SentCopy = "client"
	// SentCopyServer: the server files it; Magpie must not add another.
	SentCopyServer SentCopy = "server"
)

// ParseSentCopy parses the config spelling: "", "auto", "client", "server".
func ParseSentCopy(s string) (SentCopy, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", "auto":
		return SentCopyAuto, nil
	case string(SentCopyClient), string(SentCopyServer):
		return SentCopy(v), nil
	}
	return "", fmt.Errorf("%w: sent_copy %q (want auto, client or server)", ErrInvalidValue, s)
}

// ServerSavesSent reports what is known without asking the server: known
// is false when the account says auto and no preset knows.
func (a Account) ServerSavesSent() (saves, known bool) {
	switch a.SentCopy {
	case SentCopyClient:
		return false, true
	case SentCopyServer:
		return true, true
	}
	if p, ok := LookupProvider(a.Provider); ok {
		return p.SavesSent, p.SavesSent
	}
	return false, false
}

// SendLimit is the largest message the provider accepts in bytes (0:
// unknown; the server's SIZE extension, RFC 1870, is the other source).
func (a Account) SendLimit() int64 {
	if p, ok := LookupProvider(a.Provider); ok {
		return p.SendLimit
	}
	return 0
}

// Sender is one identity and the account whose SMTP server sends as it.
type Sender struct {
	Account  Account
	Identity Identity
}

// Name is the identity's display name, or the account's.
func (s Sender) Name() string {
	if s.Identity.Name != "" {
		return s.Identity.Name
	}
	return s.Account.DisplayName
}

// Signature returns the identity's signature for new mail or for a
// reply/forward. An alias or group without its own falls back to the
// account's (primary) one.
func (s Sender) Signature(reply bool) string {
	pick := func(id Identity) string {
		if reply {
			return id.SignatureReply
		}
		return id.SignatureNew
	}
	if sig := pick(s.Identity); sig != "" {
		return sig
	}
	if reply {
		return s.Account.SignatureReply
	}
	return s.Account.SignatureNew
}

// OnBehalf reports whether sending as this identity is sending on a mail
// group's behalf: the message then names the member in Sender: (RFC 5322
// §3.6.2) and, unless the preset says otherwise, the envelope too.
func (s Sender) OnBehalf() bool { return s.Identity.Kind == IdentityGroup }

// GroupIdentity returns the account's group identity with address addr.
func (a Account) GroupIdentity(addr string) (Identity, bool) {
	for _, id := range a.Groups {
		if strings.EqualFold(id.Address, strings.TrimSpace(addr)) {
			return id, true
		}
	}
	return Identity{}, false
}

// EnvelopeFrom is the SMTP reverse-path (RFC 5321 §4.1.1.2) for a message
// whose From is from: the member's own address when from is one of the
// account's groups (bounces reach a person), unless the provider's preset
// wants the group's; from otherwise.
func (a Account) EnvelopeFrom(from string) string {
	if _, ok := a.GroupIdentity(from); !ok {
		return from
	}
	if p, ok := LookupProvider(a.Provider); ok && p.GroupEnvelope {
		return from
	}
	return a.Email
}

// Senders lists every identity of every account, in config order: each
// account's primary address, aliases, then groups. A business mailbox is an
// account of its own, so its address comes with its own SMTP login.
func (c *Config) Senders() []Sender {
	var out []Sender
	for _, a := range c.Accounts {
		for _, id := range a.Identities() {
			out = append(out, Sender{Account: a, Identity: id})
		}
	}
	return out
}

// Sender finds the identity with address addr (case-insensitive). With
// accountName set only that account's identities are considered.
func (c *Config) Sender(accountName, addr string) (Sender, bool) {
	for _, s := range c.Senders() {
		if accountName != "" && s.Account.Name != accountName {
			continue
		}
		if strings.EqualFold(s.Identity.Address, strings.TrimSpace(addr)) {
			return s, true
		}
	}
	return Sender{}, false
}
