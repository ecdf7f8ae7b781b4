package account

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Security says how a connection to a server is protected.
type Security string

// The ways a connection can be protected. Implicit TLS is preferred over
// STARTTLS (RFC 8314 §3); plaintext is only ever used when an account says so.
const (
	SecurityTLS           Security = "tls"            // implicit TLS (RFC 8314)
	SecuritySTARTTLS      Security = "starttls"       // STARTTLS upgrade (RFC 3501 §6.2.1, RFC 3207)
	SecurityInsecurePlain Security = "insecure-plain" // no TLS at all; only when the account says so
)

// ParseSecurity parses the config spelling of a Security ("tls", "starttls",
// "insecure-plain"; case-insensitive, surrounding space ignored). Anything
// else is an error wrapping ErrInvalidValue.
func ParseSecurity(s string) (Security, error) {
	switch sec := Security(strings.ToLower(strings.TrimSpace(s))); sec {
	case SecurityTLS, SecuritySTARTTLS, SecurityInsecurePlain:
		return sec, nil
	}
	return "", fmt.Errorf("account: security %q (want tls, starttls or insecure-plain): %w", s, ErrInvalidValue)
}

// Endpoint is one server a protocol talks to.
type Endpoint struct {
	Host     string
	Port     int
	Security Security
}

// Addr is the host:port form for dialling (IPv6 literals bracketed).
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// IsZero reports whether no server is set (a protocol that is not used).
func (e Endpoint) IsZero() bool { return e == Endpoint{} }

// String is Addr followed by the security, e.g. "imap.qq.com:993 (tls)".
func (e Endpoint) String() string {
	if e.IsZero() {
		return ""
	}
	return e.Addr() + " (" + string(e.Security) + ")"
}

// ParseEndpoint parses "host:port" (IPv6 hosts in brackets); the port is
// required. The endpoint gets Security def; an empty def picks the RFC 8314
// convention for well-known ports: implicit TLS on 993, 995 and 465 and
// anything unknown, STARTTLS on 143, 110, 587 and 25. Errors wrap
// ErrInvalidValue.
func ParseEndpoint(hostport string, def Security) (Endpoint, error) {
	host, portStr, err := net.SplitHostPort(strings.TrimSpace(hostport))
	if err != nil {
		return Endpoint{}, fmt.Errorf("account: server %q (want host:port): %w", hostport, ErrInvalidValue)
	}
	if host == "" || strings.ContainsAny(host, " /\\@") {
		return Endpoint{}, fmt.Errorf("account: server %q: bad host: %w", hostport, ErrInvalidValue)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port <= 0 || port > 65535 {
		return Endpoint{}, fmt.Errorf("account: server %q: bad port: %w", hostport, ErrInvalidValue)
	}
	sec := def
	if sec == "" {
		sec = securityForPort(port)
	} else if sec, err = ParseSecurity(string(def)); err != nil {
		return Endpoint{}, err
	}
	return Endpoint{Host: host, Port: port, Security: sec}, nil
}

// securityForPort is the usual protection on a well-known mail port
// (RFC 8314 §3.3 for 465, 993, 995).
func securityForPort(port int) Security {
	switch port {
	case 143, 110, 587, 25:
		return SecuritySTARTTLS
	}
	return SecurityTLS
}

// Localized is text in both user languages; ui picks one.
type Localized struct{ ZH, EN string }

// Quirks are server behaviours a client must work around.
type Quirks struct {
	NeedsID            bool  // NetEase/Coremail: SELECT refused ("Unsafe Login") until IMAP ID (RFC 2971) was sent
	NoEnable           bool  // Coremail hangs after ENABLE (neomutt #1689): never send it
	NoDescendingRanges bool  // Exmail: BAD on 5:1
	NoCompoundSearch   bool  // Exmail/Aliyun/263: parenthesised/OR/NOT or multi-key SEARCH answers BAD
	XList              bool  // Aliyun: XLIST instead of SPECIAL-USE
	RawBodyStructure   bool  // qiye.163.com BODYSTRUCTURE breaks go-imap (#659): parse bodies locally
	AppendLimit        int64 // bytes; APPEND above fails (Exmail ~20-30 MB, "Mail length exceeded")
}

// Provider is a preset for a mail service: its servers, its quirks and how
// the user gets a password a client may use.
type Provider struct {
	ID         string    // "exmail", "qq", "netease-qiye", "163", "126", "aliyun-qiye", "feishu", "lark", "263", "gmail", "outlook"
	Name       Localized // 腾讯企业邮箱 / Tencent Exmail …
	Domains    []string  // mail domains that imply this provider (qq.com, 163.com, gmail.com …)
	MXSuffixes []string  // MX host suffixes that imply it (mxbiz1.qq.com → exmail, qiye.163.com …)

	IMAP, SMTP, POP3 Endpoint // POP3 may be zero

	CalDAV         string // hint URL ("" if none known)
	CalDAVVerified bool

	// SavesSent: the server files a copy of submitted mail in Sent itself
	// (the client must not append another).
	SavesSent bool
	// SendLimit is the largest message its SMTP server accepts, in bytes
	// (0: unknown; the server's SIZE extension, RFC 1870, tells too).
	SendLimit int64
	// GroupEnvelope: when a member sends as a mail group, the server wants
	// the group's address in MAIL FROM too (false: the member's own, so
	// bounces reach a person; see Account.EnvelopeFrom).
	GroupEnvelope bool
	// MaxConnections is Magpie's budget of concurrent IMAP connections for
	// one account of this provider; 0 means the default, 4.
	MaxConnections int
	Quirks         Quirks

	// AppPassword: where the user turns IMAP/SMTP on and gets the client
	// password (客户端专用密码/授权码), incl. "fetch range = all mail".
	AppPassword Localized
	HelpURL     string   // the provider's own help page for those steps
	Sources     []string // pages the hosts/ports were checked against
	OAuthOnly   bool     // basic auth is (largely) off: an app password may not work
}

// Providers returns every preset, in a stable order. Each call builds a
// fresh copy: callers may modify the result freely.
func Providers() []Provider { return providerTable() }

// LookupProvider returns the preset with that ID (case-insensitive).
func LookupProvider(id string) (Provider, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id == "" {
		return Provider{}, false
	}
	for _, p := range providerTable() {
		if p.ID == id {
			return p, true
		}
	}
	return Provider{}, false
}

// ProviderForDomain returns the preset whose mail domain is domain
// (case-insensitive, a trailing dot ignored), e.g. "qq.com" → qq. Custom
// domains hosted by a provider are found through their MX, not here.
func ProviderForDomain(domain string) (Provider, bool) {
	d := normalizeHost(domain)
	if d == "" {
		return Provider{}, false
	}
	for _, p := range providerTable() {
		for _, pd := range p.Domains {
			if pd == d {
				return p, true
			}
		}
	}
	return Provider{}, false
}

// ProviderForMX returns the preset whose mail exchangers include mxHost: the
// host equals one of its MX suffixes or ends in "."+suffix (so
// "mxbiz1.qq.com" → exmail, "hzmx01.mxmail.netease.com" → netease-qiye, but
// "evilqq.com" matches nothing). The longest matching suffix wins.
func ProviderForMX(mxHost string) (Provider, bool) {
	h := normalizeHost(mxHost)
	if h == "" {
		return Provider{}, false
	}
	var best Provider
	bestLen := 0
	for _, p := range providerTable() {
		for _, s := range p.MXSuffixes {
			if (h == s || strings.HasSuffix(h, "."+s)) && len(s) > bestLen {
				best, bestLen = p, len(s)
			}
		}
	}
	return best, bestLen > 0
}

// normalizeHost lowercases a DNS name and drops surrounding space and the
// root dot.
func normalizeHost(s string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
}
