package account

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// ManageSievePort is the registered ManageSieve port (RFC 5804 §1.8).
const ManageSievePort = 4190

// SieveSetting is where an account's ManageSieve server (RFC 5804) is:
// the zero value means "discover it" (the IMAP host on port 4190), Off
// means the account has none (rules then run on this computer), otherwise
// Endpoint names it. ManageSieve always upgrades with STARTTLS.
type SieveSetting struct {
	Off      bool
	Endpoint Endpoint
}

// ParseSieveSetting parses the config and --sieve spelling: "" (discover),
// "none", or "host:port". Errors wrap ErrInvalidValue.
func ParseSieveSetting(s string) (SieveSetting, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return SieveSetting{}, nil
	case "none":
		return SieveSetting{Off: true}, nil
	}
	e, err := ParseEndpoint(s, SecuritySTARTTLS)
	if err != nil {
		return SieveSetting{}, fmt.Errorf("account: sieve %q (want host:port or none): %w", s, ErrInvalidValue)
	}
	return SieveSetting{Endpoint: e}, nil
}

// String is the config spelling: "", "none" or "host:port".
func (s SieveSetting) String() string {
	switch {
	case s.Off:
		return "none"
	case s.Endpoint.IsZero():
		return ""
	}
	return s.Endpoint.Addr()
}

// noManageSieve reports whether a provider preset is known to offer no
// ManageSieve: none of the presets does (Exmail, NetEase and Aliyun keep
// rules in their web settings; Gmail and Outlook have their own filters).
func noManageSieve(provider string) bool {
	_, ok := LookupProvider(provider)
	return ok
}

// SieveEndpoint returns the ManageSieve server to try. ok is false when the
// account has none (sieve = "none", or a provider preset without one).
// discovered is true when the endpoint is only a guess (the IMAP host on
// port 4190): failing to reach it then means "no ManageSieve", not an error.
func (a Account) SieveEndpoint() (e Endpoint, discovered, ok bool) {
	switch {
	case a.Sieve.Off:
		return Endpoint{}, false, false
	case !a.Sieve.Endpoint.IsZero():
		return a.Sieve.Endpoint, false, true
	case noManageSieve(a.Provider) || a.IMAP.IsZero():
		return Endpoint{}, false, false
	}
	return Endpoint{Host: a.IMAP.Host, Port: ManageSievePort, Security: SecuritySTARTTLS}, true, true
}

// TLSConfig is the client TLS configuration for one of a's servers on
// host, verified as every other connection of the account is (system roots
// or RootCAs, plus the account's CAFile). Protocols this package does not
// dial itself (ManageSieve) use it.
func (d *Dialer) TLSConfig(a Account, host string) (*tls.Config, error) {
	return d.tlsConfig(a, host)
}
