package account

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// srvService is one RFC 6186 service label and the protection it implies.
type srvService struct {
	service  string // "imaps" for _imaps._tcp
	security Security
}

// The SRV services of RFC 6186 §3 and RFC 8314 §5.1, per protocol in order
// of preference: implicit TLS first. Plaintext-only offers do not exist in
// this list: "_imap" and "_submission" mean STARTTLS (RFC 8314 §5.1 says a
// client must not fall back to plaintext from them).
func srvServices() (imap, submission, pop3 []srvService) {
	return []srvService{{"imaps", SecurityTLS}, {"imap", SecuritySTARTTLS}},
		[]srvService{{"submissions", SecurityTLS}, {"submission", SecuritySTARTTLS}},
		[]srvService{{"pop3s", SecurityTLS}, {"pop3", SecuritySTARTTLS}}
}

// discoverSRV looks up the RFC 6186 SRV records of domain. For each protocol
// it takes the first service in preference order that offers a server;
// within a service, the record order of the resolver (RFC 2782 priority,
// then weight). A target of "." means the service is decidedly not offered
// (RFC 6186 §3.4 / RFC 2782). ok is false unless an IMAP or POP3 server was
// found.
func (d Discoverer) discoverSRV(ctx context.Context, domain string, record func(method, target string, err error)) (Discovery, bool) {
	imapSvcs, subSvcs, popSvcs := srvServices()
	pick := func(svcs []srvService) Endpoint {
		for _, s := range svcs {
			if ctx.Err() != nil {
				return Endpoint{}
			}
			name := "_" + s.service + "._tcp." + domain
			e, err := d.lookupSRV(ctx, s, domain)
			record(SourceSRV, name, err)
			if err == nil {
				return e
			}
		}
		return Endpoint{}
	}
	disc := Discovery{Source: SourceSRV}
	disc.IMAP = pick(imapSvcs)
	disc.POP3 = pick(popSvcs)
	if disc.IMAP.IsZero() && disc.POP3.IsZero() {
		return Discovery{}, false
	}
	disc.SMTP = pick(subSvcs)
	for _, p := range providerTable() {
		if !disc.IMAP.IsZero() && p.IMAP.Host == disc.IMAP.Host {
			disc.Provider = p.ID
			break
		}
	}
	return disc, true
}

// lookupSRV asks for one service and returns its first usable target.
func (d Discoverer) lookupSRV(ctx context.Context, s srvService, domain string) (Endpoint, error) {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	_, addrs, err := d.resolver().LookupSRV(ctx, s.service, "tcp", domain)
	if err != nil {
		return Endpoint{}, err
	}
	for _, a := range addrs {
		if a == nil {
			continue
		}
		host := normalizeHost(a.Target)
		if host == "" { // "." : not offered at all
			return Endpoint{}, fmt.Errorf("%w (target \".\": not offered)", ErrNoServers)
		}
		if a.Port == 0 || !validHostname(host) {
			continue
		}
		return Endpoint{Host: host, Port: int(a.Port), Security: s.security}, nil
	}
	return Endpoint{}, ErrNoServers
}

// discoverMX maps the domain's mail exchangers, in preference order, to a
// preset: a hosted domain whose MX is mxbiz1.qq.com uses Tencent Exmail.
// A null MX (RFC 7505, target ".") maps to nothing.
func (d Discoverer) discoverMX(ctx context.Context, domain string, record func(method, target string, err error)) (Provider, bool) {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	mxs, err := d.resolver().LookupMX(ctx, domain)
	if err != nil {
		record(SourceMX, domain, err)
		return Provider{}, false
	}
	for _, mx := range mxs {
		if mx == nil {
			continue
		}
		if p, ok := ProviderForMX(mx.Host); ok {
			record(SourceMX, domain, nil)
			return p, true
		}
	}
	record(SourceMX, domain, fmt.Errorf("%w: %s", ErrUnknownMX, strings.Join(hostsOf(mxs), ", ")))
	return Provider{}, false
}

// hostsOf lists MX hosts for an error message.
func hostsOf(mxs []*net.MX) []string {
	hosts := make([]string, 0, len(mxs))
	for _, mx := range mxs {
		if mx == nil {
			continue
		}
		if h := normalizeHost(mx.Host); h != "" {
			hosts = append(hosts, h)
		} else {
			hosts = append(hosts, ". (null MX)")
		}
	}
	return hosts
}
