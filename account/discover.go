package account

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// Resolver is the part of *net.Resolver that discovery uses; tests inject a
// resolver pointed at a fake DNS server.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
}

var _ Resolver = (*net.Resolver)(nil)

// Bounds on each step of discovery: one autoconfig fetch, one DNS query.
const (
	autoconfigTimeout = 8 * time.Second
	dnsTimeout        = 5 * time.Second
	maxAutoconfigSize = 1 << 20
	maxRedirects      = 3
)

// Discovery sources, in the order Discover tries them.
const (
	SourcePresetDomain = "preset-domain" // the address's domain is a preset's (qq.com → qq)
	SourceAutoconfig   = "autoconfig"    // Mozilla autoconfig XML from the domain
	SourceSRV          = "srv"           // RFC 6186 SRV records
	SourceMX           = "mx"            // the domain's MX belongs to a preset's service
)

// Problems recorded in Attempt.Err when a step answered but gave nothing
// usable; network and HTTP failures are recorded as they came. Attempt
// errors are parts of a DiscoveryError, which carries the "account:" prefix,
// so they carry none themselves.
var (
	ErrNoPreset   = errors.New("no preset for this domain")
	ErrNoServers  = errors.New("no usable IMAP or POP3 server offered")
	ErrUnknownMX  = errors.New("mail exchangers belong to no known provider")
	ErrBadConfig  = errors.New("malformed autoconfig")
	ErrHTTPStatus = errors.New("unexpected HTTP status")
)

// Discoverer finds the servers for an email address when the user named
// neither a provider nor servers. The zero value is ready to use.
//
// Discover tries, in order, stopping at the first that yields an incoming
// server: a preset for the address's domain; Mozilla autoconfig
// (https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=…, then
// https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml); RFC 6186 SRV
// records, preferring implicit TLS (RFC 8314 §5.1); and finally the domain's
// MX hosts mapped to a preset (mxbiz1.qq.com → exmail).
//
// Discovered servers are only as trustworthy as DNS and the domain's web
// server: ui should show them to the user before a password is sent. A
// Discoverer is safe for concurrent use if its Resolver and HTTPClient are.
type Discoverer struct {
	// Resolver answers SRV and MX queries; nil means net.DefaultResolver.
	Resolver Resolver
	// HTTPClient fetches autoconfig files; nil means a client with a short
	// timeout. Whatever the client, Discover applies its own redirect rule:
	// at most 3 redirects, to the same host only, never from https to http.
	HTTPClient *http.Client
	// AllowHTTP also tries the two autoconfig URLs over plain http after
	// https failed, as Thunderbird does. Off by default: anyone on the path
	// can forge a plain-http answer and send the user's password to a
	// server of their choosing. A result obtained so is marked Unverified.
	AllowHTTP bool
}

// Discovery is what Discover found.
type Discovery struct {
	IMAP, SMTP, POP3 Endpoint // IMAP or POP3 is set; SMTP may be zero
	Provider         string   // preset ID if known ("" otherwise)
	// Username is the login name: the address itself, or what autoconfig
	// said (%EMAILADDRESS%/%EMAILLOCALPART% expanded).
	Username string
	Source   string // SourcePresetDomain, SourceAutoconfig, SourceSRV or SourceMX
	// Unverified is set when the configuration came over plain http
	// (AllowHTTP): ui must have the user confirm it.
	Unverified bool
	Tried      []Attempt // every step tried, the successful one last
}

// Attempt is one step tried during discovery.
type Attempt struct {
	Method string // a Source… value
	Target string // the domain, URL or DNS name asked
	Err    error  // nil for the step that succeeded
}

// DiscoveryError says that no step found a server. Tried lists every step in
// order with its error; ui turns it into text.
type DiscoveryError struct {
	Email string
	Tried []Attempt
}

func (e *DiscoveryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "account: no mail servers found for %s", e.Email)
	for i, a := range e.Tried {
		sep := "; "
		if i == 0 {
			sep = " (tried "
		}
		fmt.Fprintf(&b, "%s%s %s: %v", sep, a.Method, a.Target, a.Err)
	}
	if len(e.Tried) > 0 {
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the attempts' errors, so errors.Is sees through to them.
func (e *DiscoveryError) Unwrap() []error {
	errs := make([]error, 0, len(e.Tried))
	for _, a := range e.Tried {
		if a.Err != nil {
			errs = append(errs, a.Err)
		}
	}
	return errs
}

// Discover finds the servers for email; see Discoverer for the order. It
// blocks for at most a few network round trips per step, each bounded, and
// returns early when ctx ends (with an error wrapping ctx.Err()). A bad
// address gives an error wrapping ErrInvalidValue; when every step fails the
// error is a *DiscoveryError.
func (d Discoverer) Discover(ctx context.Context, email string) (Discovery, error) {
	local, domain, err := splitAddress(email)
	if err != nil {
		return Discovery{}, err
	}
	var tried []Attempt
	record := func(method, target string, err error) { tried = append(tried, Attempt{method, target, err}) }
	found := func(disc Discovery) (Discovery, error) {
		disc.Tried = tried
		return disc, nil
	}
	cancelled := func() error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("account: discovering servers for %s: %w", email, err)
		}
		return nil
	}

	if p, ok := ProviderForDomain(domain); ok {
		record(SourcePresetDomain, domain, nil)
		return found(Discovery{IMAP: p.IMAP, SMTP: p.SMTP, POP3: p.POP3, Provider: p.ID,
			Username: email, Source: SourcePresetDomain})
	}
	record(SourcePresetDomain, domain, ErrNoPreset)

	for _, u := range autoconfigURLs(domain, email, d.AllowHTTP) {
		if err := cancelled(); err != nil {
			return Discovery{}, err
		}
		cfg, err := d.fetchAutoconfig(ctx, u, email, local, domain)
		record(SourceAutoconfig, u, err)
		if err == nil {
			disc := cfg.discovery()
			disc.Unverified = strings.HasPrefix(u, "http://")
			return found(disc)
		}
	}

	if err := cancelled(); err != nil {
		return Discovery{}, err
	}
	if disc, ok := d.discoverSRV(ctx, domain, record); ok {
		disc.Username = email
		return found(disc)
	}

	if err := cancelled(); err != nil {
		return Discovery{}, err
	}
	if p, ok := d.discoverMX(ctx, domain, record); ok {
		return found(Discovery{IMAP: p.IMAP, SMTP: p.SMTP, POP3: p.POP3, Provider: p.ID,
			Username: email, Source: SourceMX})
	}
	if err := cancelled(); err != nil {
		return Discovery{}, err
	}
	return Discovery{}, &DiscoveryError{Email: email, Tried: tried}
}

// resolver is d.Resolver or the system's.
func (d Discoverer) resolver() Resolver {
	if d.Resolver != nil {
		return d.Resolver
	}
	return net.DefaultResolver
}

// splitAddress splits an addr-spec at its last "@" and returns the local
// part and the domain in lowercase ASCII (IDNA, RFC 5891) without a root dot.
func splitAddress(email string) (local, domain string, err error) {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n<>") {
		return "", "", fmt.Errorf("account: %q is not an email address: %w", email, ErrInvalidValue)
	}
	local = email[:at]
	domain, err = idna.Lookup.ToASCII(normalizeHost(email[at+1:]))
	if err != nil || !validHostname(domain) || !strings.Contains(domain, ".") {
		return "", "", fmt.Errorf("account: %q is not an email address: bad domain: %w", email, ErrInvalidValue)
	}
	return local, domain, nil
}

// validHostname reports whether s is a plausible DNS host name: labels of
// letters, digits, '-' and '_' of 1..63 bytes, 253 bytes at most.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
