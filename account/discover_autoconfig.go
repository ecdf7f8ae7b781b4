package account

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// autoconfigURLs are the Mozilla autoconfig locations for domain, in the
// order Thunderbird tries them; with allowHTTP the same two over plain http
// follow.
func autoconfigURLs(domain, email string, allowHTTP bool) []string {
	q := "?emailaddress=" + url.QueryEscape(email)
	urls := []string{
		"https://autoconfig." + domain + "/mail/config-v1.1.xml" + q,
		"https://" + domain + "/.well-known/autoconfig/mail/config-v1.1.xml",
	}
	if allowHTTP {
		urls = append(urls,
			"http://autoconfig."+domain+"/mail/config-v1.1.xml"+q,
			"http://"+domain+"/.well-known/autoconfig/mail/config-v1.1.xml")
	}
	return urls
}

// httpClient is d.HTTPClient (or a default one) with the redirect rule.
func (d Discoverer) httpClient() *http.Client {
	c := http.Client{Timeout: autoconfigTimeout}
	if d.HTTPClient != nil {
		c = *d.HTTPClient
	}
	c.CheckRedirect = sameHostRedirect
	return &c
}

// sameHostRedirect follows at most maxRedirects redirects, only to the
// host first asked and never from https down to http: an autoconfig file
// decides where the password goes, so it must come from the domain asked.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	first := via[0].URL
	if !strings.EqualFold(req.URL.Hostname(), first.Hostname()) {
		return fmt.Errorf("redirect to another host %q refused", req.URL.Host)
	}
	if first.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect from https to %s refused", req.URL.Scheme)
	}
	return nil
}

// fetchAutoconfig GETs one autoconfig URL and parses the answer.
func (d Discoverer) fetchAutoconfig(ctx context.Context, u, email, local, domain string) (autoconfig, error) {
	ctx, cancel := context.WithTimeout(ctx, autoconfigTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return autoconfig{}, err
	}
	req.Header.Set("Accept", "application/xml, text/xml")
	resp, err := d.httpClient().Do(req)
	if err != nil {
		var ue *url.Error // the attempt already names the URL
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return autoconfig{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return autoconfig{}, fmt.Errorf("%w %d", ErrHTTPStatus, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAutoconfigSize+1))
	if err != nil {
		return autoconfig{}, fmt.Errorf("reading: %w", err)
	}
	if len(body) > maxAutoconfigSize {
		return autoconfig{}, fmt.Errorf("%w: larger than %d bytes", ErrBadConfig, maxAutoconfigSize)
	}
	return parseAutoconfig(body, email)
}

// autoconfig is the usable part of a clientConfig file.
type autoconfig struct {
	ProviderID       string // emailProvider id attribute, e.g. "example.com"
	IMAP, POP3, SMTP Endpoint
	Username         string // of the incoming server, placeholders expanded
}

// discovery turns a parsed autoconfig into a Discovery.
func (a autoconfig) discovery() Discovery {
	disc := Discovery{IMAP: a.IMAP, POP3: a.POP3, SMTP: a.SMTP, Username: a.Username, Source: SourceAutoconfig}
	// A file naming a preset's servers (e.g. a hosted domain pointing at
	// imap.exmail.qq.com) brings the preset's quirks along.
	for _, p := range providerTable() {
		if (!a.IMAP.IsZero() && strings.EqualFold(p.IMAP.Host, a.IMAP.Host)) ||
			(a.IMAP.IsZero() && !a.POP3.IsZero() && strings.EqualFold(p.POP3.Host, a.POP3.Host)) {
			disc.Provider = p.ID
			break
		}
	}
	return disc
}

// The clientConfig schema (Thunderbird, config-v1.1.xml), as far as Magpie
// reads it.
type xmlClientConfig struct {
	XMLName   xml.Name           `xml:"clientConfig"`
	Providers []xmlEmailProvider `xml:"emailProvider"`
}

type xmlEmailProvider struct {
	ID       string      `xml:"id,attr"`
	Incoming []xmlServer `xml:"incomingServer"`
	Outgoing []xmlServer `xml:"outgoingServer"`
}

type xmlServer struct {
	Type       string `xml:"type,attr"`
	Hostname   string `xml:"hostname"`
	Port       string `xml:"port"`
	SocketType string `xml:"socketType"`
	Username   string `xml:"username"`
}

// parseAutoconfig reads a clientConfig document for email. For each of
// IMAP, POP3 and SMTP it takes the best-protected server offered (implicit
// TLS, then STARTTLS, in file order among equals); plaintext servers are
// never chosen. %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% are
// expanded in host names and user names. It fails with ErrBadConfig when the
// document does not parse and ErrNoServers when it offers no usable IMAP or
// POP3 server. The input is untrusted: it never panics (FuzzParseAutoconfig).
func parseAutoconfig(data []byte, email string) (autoconfig, error) {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return autoconfig{}, fmt.Errorf("%q is not an email address: %w", email, ErrInvalidValue)
	}
	expand := strings.NewReplacer(
		"%EMAILADDRESS%", email,
		"%EMAILLOCALPART%", email[:at],
		"%EMAILDOMAIN%", email[at+1:],
	).Replace

	var doc xmlClientConfig
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charsetReader
	if err := dec.Decode(&doc); err != nil {
		return autoconfig{}, fmt.Errorf("%w: %v", ErrBadConfig, err)
	}
	var out autoconfig
	var imapUser, popUser string
	for _, p := range doc.Providers {
		if out.ProviderID == "" {
			out.ProviderID = strings.TrimSpace(p.ID)
		}
		for _, s := range p.Incoming {
			switch strings.ToLower(strings.TrimSpace(s.Type)) {
			case "imap":
				if e, ok := s.endpoint(expand); ok && betterThan(e, out.IMAP) {
					out.IMAP, imapUser = e, expand(strings.TrimSpace(s.Username))
				}
			case "pop3":
				if e, ok := s.endpoint(expand); ok && betterThan(e, out.POP3) {
					out.POP3, popUser = e, expand(strings.TrimSpace(s.Username))
				}
			}
		}
		for _, s := range p.Outgoing {
			if strings.EqualFold(strings.TrimSpace(s.Type), "smtp") {
				if e, ok := s.endpoint(expand); ok && betterThan(e, out.SMTP) {
					out.SMTP = e
				}
			}
		}
	}
	if out.IMAP.IsZero() && out.POP3.IsZero() {
		return autoconfig{}, ErrNoServers
	}
	out.Username = imapUser
	if out.IMAP.IsZero() {
		out.Username = popUser
	}
	if out.Username == "" || strings.Contains(out.Username, "%") || !utf8.ValidString(out.Username) {
		out.Username = email // absent or an unknown placeholder: the usual default
	}
	return out, nil
}

// endpoint converts one server element; ok is false for anything unusable
// (bad host or port, plaintext or unknown socketType).
func (s xmlServer) endpoint(expand func(string) string) (Endpoint, bool) {
	host := normalizeHost(expand(s.Hostname))
	if !validHostname(host) {
		return Endpoint{}, false
	}
	port, err := strconv.Atoi(strings.TrimSpace(s.Port))
	if err != nil || port <= 0 || port > 65535 {
		return Endpoint{}, false
	}
	var sec Security
	switch strings.ToUpper(strings.TrimSpace(s.SocketType)) {
	case "SSL", "TLS":
		sec = SecurityTLS
	case "STARTTLS":
		sec = SecuritySTARTTLS
	default: // "plain" or unknown: never chosen automatically
		return Endpoint{}, false
	}
	return Endpoint{Host: host, Port: port, Security: sec}, true
}

// betterThan reports whether e should replace cur: cur is unset, or e is
// implicit TLS where cur is STARTTLS (RFC 8314 §3).
func betterThan(e, cur Endpoint) bool {
	return cur.IsZero() || (e.Security == SecurityTLS && cur.Security != SecurityTLS)
}

// charsetReader lets encoding/xml read the encodings autoconfig files are
// seen in besides UTF-8: US-ASCII and ISO-8859-1.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(io.LimitReader(input, maxAutoconfigSize))
		if err != nil {
			return nil, err
		}
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return strings.NewReader(string(r)), nil
	}
	return nil, errors.New("unsupported charset " + strconv.Quote(charset))
}
