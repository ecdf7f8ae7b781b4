// Package quirkserver is an in-process IMAP proxy that makes a well-behaved
// backend IMAP server (imapmemserver for unit tests, Dovecot for integration
// tests) look like the Chinese providers Magpie must survive: NetEase/Coremail
// (RFC 2971 ID required before SELECT, ENABLE hang), Tencent Exmail (no
// descending ranges, no compound SEARCH, APPEND size cap, no special-use),
// Aliyun (XLIST instead of SPECIAL-USE, no parenthesised SEARCH) and 263.
//
// The proxy parses every client command (RFC 3501 section 2.2.1), including
// synchronising and non-synchronising literals (RFC 3501 section 4.3, RFC
// 7888), and either forwards it byte for byte, rewrites it, or answers it
// itself. Backend responses are forwarded unchanged except for the
// capability list (greeting, CAPABILITY, [CAPABILITY] codes), LIST attributes
// and the XLIST translation. It listens on 127.0.0.1 in plaintext only.
package quirkserver

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"sync"
)

// DefaultAppendLimit is the Exmail APPEND cap used when Options.AppendLimit
// is zero; real Exmail refuses somewhere between 20 and 30 MB.
const DefaultAppendLimit = 20 << 20

// Options configures a proxy.
type Options struct {
	// Profile selects the emulated provider; empty means Plain.
	Profile Profile
	// Backend is the host:port of a plaintext IMAP server to forward to.
	Backend string
	// AppendLimit is the largest APPEND literal Exmail accepts, in bytes;
	// zero means DefaultAppendLimit. Other profiles ignore it.
	AppendLimit int64
	// NoIDLE removes IDLE from the advertised capabilities and answers
	// IDLE with BAD, as some NetEase and Exmail hosts do. Ignored by Plain.
	NoIDLE bool
	// Log, when set, receives a wire trace of every connection. Passwords
	// and SASL exchanges are redacted; literals are shown as their size.
	Log io.Writer
}

// Stats is a snapshot of what clients did to the proxy.
type Stats struct {
	// Connections is the number of client connections accepted.
	Connections int
	// Commands counts commands received, by upper-case name ("UID SEARCH").
	Commands map[string]int
	// IDs holds the parameters of every ID command the proxy parsed, in the
	// order received across all connections; ID NIL gives an empty map.
	IDs []map[string]string
}

// Server is a running quirk proxy. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	spec profileSpec
	caps []string // nil for Plain
	ln   net.Listener
	wg   sync.WaitGroup

	logMu sync.Mutex

	mu     sync.Mutex
	closed bool
	conns  map[*conn]struct{}
	nextID int
	stats  Stats
}

// Start listens on 127.0.0.1:0 and serves the profile in front of
// opts.Backend until Close. It does not contact the backend until a client
// connects.
func Start(opts Options) (*Server, error) {
	if opts.Profile == "" {
		opts.Profile = Plain
	}
	spec, err := opts.Profile.spec()
	if err != nil {
		return nil, err
	}
	if opts.Backend == "" {
		return nil, errors.New("quirkserver: no backend address")
	}
	if opts.AppendLimit <= 0 {
		opts.AppendLimit = DefaultAppendLimit
	}
	var caps []string
	for _, c := range spec.caps {
		if opts.NoIDLE && c == "IDLE" {
			continue
		}
		caps = append(caps, c)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("quirkserver: listen: %w", err)
	}
	s := &Server{
		opts:  opts,
		spec:  spec,
		caps:  caps,
		ln:    ln,
		conns: make(map[*conn]struct{}),
		stats: Stats{Commands: make(map[string]int)},
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the host:port the proxy listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Profile returns the emulated profile.
func (s *Server) Profile() Profile { return s.opts.Profile }

// Caps returns the capabilities the proxy advertises, or nil for Plain
// (which forwards the backend's).
func (s *Server) Caps() []string { return slices.Clone(s.caps) }

// Stats returns a copy of the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{
		Connections: s.stats.Connections,
		Commands:    maps.Clone(s.stats.Commands),
	}
	for _, id := range s.stats.IDs {
		out.IDs = append(out.IDs, maps.Clone(id))
	}
	return out
}

// Close stops listening, closes every client and backend connection and
// waits for all goroutines of the proxy to return. It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("quirkserver: close: %w", err)
	}
	return nil
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return // closed; loopback accept errors are not retried
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.nextID++
		c := newConn(s, nc, s.nextID)
		s.conns[c] = struct{}{}
		s.stats.Connections++
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) countCommand(name string) {
	s.mu.Lock()
	s.stats.Commands[name]++
	s.mu.Unlock()
}

func (s *Server) recordID(m map[string]string) {
	s.mu.Lock()
	s.stats.IDs = append(s.stats.IDs, m)
	s.mu.Unlock()
}

// logf writes one trace line when Options.Log is set.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, format+"\n", args...)
}
