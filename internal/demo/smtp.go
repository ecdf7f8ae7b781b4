package demo

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/internal/quirkserver"
)

// maxMessage bounds one submitted message (go-smtp answers 552 beyond it).
const maxMessage = 32 << 20

// smtpServer is the demo's submission server (RFC 6409) on 127.0.0.1,
// plaintext, AUTH PLAIN (RFC 4954, RFC 4616) only. It delivers each message
// once to the INBOX of every demo mailbox among the recipients and drops the
// rest: nothing leaves the machine. Safe for concurrent use.
type smtpServer struct {
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// startSMTP listens on 127.0.0.1 and serves until Close. users maps login →
// password; mailbox maps each deliverable address (lower case) to a login.
func startSMTP(b *quirkserver.MemBackend, users, mailbox map[string]string) (*smtpServer, error) {
	be := &smtpBackend{imap: b, users: users, mailbox: mailbox}
	srv := smtp.NewServer(be)
	srv.Domain = "smtp.magpie.demo"
	srv.AllowInsecureAuth = true // loopback only
	srv.MaxMessageBytes = maxMessage
	srv.MaxRecipients = 100
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = discardLog{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: smtp listen: %w", err)
	}
	s := &smtpServer{srv: srv, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the server's host:port.
func (s *smtpServer) Addr() string { return s.ln.Addr().String() }

// Close closes the listener and every connection and waits for the accept
// loop to end. Idempotent.
func (s *smtpServer) Close() error {
	s.closeOnce.Do(func() {
		if err := s.srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) && !errors.Is(err, smtp.ErrServerClosed) {
			s.closeErr = fmt.Errorf("demo: close smtp: %w", err)
		}
		<-s.done
	})
	return s.closeErr
}

type discardLog struct{}

func (discardLog) Printf(string, ...any) {}
func (discardLog) Println(...any)        {}

// smtpBackend delivers into the MemBackend.
type smtpBackend struct {
	imap    *quirkserver.MemBackend
	users   map[string]string // login → password; read-only
	mailbox map[string]string // address → login; read-only
}

var _ smtp.Backend = (*smtpBackend)(nil)

// NewSession implements smtp.Backend.
func (be *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{be: be, remote: c.Conn().RemoteAddr().String()}, nil
}

// smtpSession is one connection's transaction state; go-smtp calls it
// from the connection's goroutine only.
type smtpSession struct {
	be     *smtpBackend
	remote string
	user   string // authenticated login, "" before AUTH
	from   string
	rcpts  []string
}

var (
	_ smtp.Session     = (*smtpSession)(nil)
	_ smtp.AuthSession = (*smtpSession)(nil)
)

// AuthMechanisms implements smtp.AuthSession.
func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth implements smtp.AuthSession: PLAIN with a demo login and its
// password; an authorization identity must be the login itself.
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		login := strings.ToLower(username)
		want, ok := s.be.users[login]
		if !ok || password != want || (identity != "" && !strings.EqualFold(identity, username)) {
			return smtp.ErrAuthFailed
		}
		s.user = login
		return nil
	}), nil
}

// Mail implements smtp.Session.
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

// Rcpt implements smtp.Session. Every recipient is accepted; only demo
// mailboxes get the message.
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.rcpts = append(s.rcpts, strings.ToLower(strings.TrimSpace(to)))
	return nil
}

// Data implements smtp.Session: it prepends the trace fields (RFC 5321
// §4.4) and appends the message once to each recipient mailbox's INBOX.
func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	now := time.Now()
	trace := fmt.Sprintf("Return-Path: <%s>\r\nReceived: from %s by smtp.magpie.demo with ESMTPA; %s\r\n",
		s.from, s.remote, now.Format(time.RFC1123Z))
	msg := append([]byte(trace), raw...)
	delivered := map[string]bool{}
	for _, rcpt := range s.rcpts {
		login, ok := s.be.mailbox[rcpt]
		if !ok || delivered[login] {
			continue
		}
		delivered[login] = true
		if _, err := s.be.imap.Append(login, "INBOX", msg, nil, now); err != nil {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "delivery failed"}
		}
	}
	return nil
}

// Reset implements smtp.Session.
func (s *smtpSession) Reset() { s.from, s.rcpts = "", nil }

// Logout implements smtp.Session.
func (s *smtpSession) Logout() error { return nil }
