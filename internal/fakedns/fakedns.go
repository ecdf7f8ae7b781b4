// Package fakedns is a real DNS server on 127.0.0.1 serving a fixed zone,
// for tests of code that looks up SRV and MX records.
package fakedns

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Start serves a fixed zone over UDP on 127.0.0.1 and returns a Go
// resolver that asks only it. Names not in the zone answer NXDOMAIN.
func Start(t testing.TB, records ...string) *net.Resolver {
	t.Helper()
	zone := map[string][]dns.RR{} // "name. TYPE" → answers
	names := map[string]bool{}
	for _, s := range records {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatalf("bad test record %q: %v", s, err)
		}
		h := rr.Header()
		key := strings.ToLower(h.Name) + " " + dns.TypeToString[h.Rrtype]
		zone[key] = append(zone[key], rr)
		names[strings.ToLower(h.Name)] = true
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.Authoritative, m.RecursionAvailable = true, true
		if len(r.Question) == 1 {
			q := r.Question[0]
			name := strings.ToLower(q.Name)
			m.Answer = zone[name+" "+dns.TypeToString[q.Qtype]]
			if !names[name] {
				m.Rcode = dns.RcodeNameError
			}
		}
		_ = w.WriteMsg(m)
	})
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: handler, NotifyStartedFunc: func() { close(started) }}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	addr := pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}
