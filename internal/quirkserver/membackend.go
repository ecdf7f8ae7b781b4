package quirkserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// FolderStyle selects the names of the default folders a MemBackend creates
// for each user.
type FolderStyle int

const (
	// EnglishFolders: INBOX, Sent, Drafts, Trash, Junk.
	EnglishFolders FolderStyle = iota
	// ExmailFolders: INBOX, 已发送, 草稿箱, 已删除, 垃圾箱 (Tencent Exmail).
	ExmailFolders
	// NetEaseFolders: INBOX, 已发送, 草稿箱, 已删除, 垃圾邮件, 病毒文件夹.
	NetEaseFolders
)

// Names returns the folders of the style, INBOX first.
func (f FolderStyle) Names() []string {
	switch f {
	case ExmailFolders:
		return []string{"INBOX", "已发送", "草稿箱", "已删除", "垃圾箱"}
	case NetEaseFolders:
		return []string{"INBOX", "已发送", "草稿箱", "已删除", "垃圾邮件", "病毒文件夹"}
	}
	return []string{"INBOX", "Sent", "Drafts", "Trash", "Junk"}
}

// FolderStyleFor returns the folder names a provider's real accounts have.
func FolderStyleFor(p Profile) FolderStyle {
	switch p {
	case Exmail:
		return ExmailFolders
	case NetEase, Coremail:
		return NetEaseFolders
	}
	return EnglishFolders
}

// MemOption configures NewMemBackend.
type MemOption func(*memConfig)

type memConfig struct {
	style FolderStyle
	extra []string
	log   io.Writer
}

// WithFolderStyle picks the default folder names (EnglishFolders if unset).
func WithFolderStyle(s FolderStyle) MemOption { return func(c *memConfig) { c.style = s } }

// WithFolders creates these extra folders for every user, e.g. nested
// ("Projects/2026") or Chinese ("客户/重要") names; "/" is the delimiter.
func WithFolders(names ...string) MemOption {
	return func(c *memConfig) { c.extra = append(c.extra, names...) }
}

// WithMemLog sends the backend's raw wire trace to w. It includes
// credentials: use it only with test accounts.
func WithMemLog(w io.Writer) MemOption { return func(c *memConfig) { c.log = w } }

// MemBackend is an in-memory IMAP server (go-imap's imapmemserver) on
// 127.0.0.1, plaintext with LOGIN and AUTHENTICATE PLAIN allowed. It
// advertises IMAP4rev1 with NAMESPACE, UIDPLUS, MOVE, LITERAL+, ESEARCH,
// LIST-EXTENDED, LIST-STATUS, SPECIAL-USE and STATUS=SIZE. It stores no
// special-use attributes; the proxy assigns roles by folder name.
// Methods are safe for concurrent use.
type MemBackend struct {
	srv   *imapserver.Server
	ln    net.Listener
	users map[string]*imapmemserver.User // immutable after NewMemBackend
	done  chan struct{}

	closeOnce sync.Once
	closeErr  error
}

// discardLogger silences imapserver's per-connection error logging.
type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

// idlePoller wraps an imapmemserver session so that IDLE never misses an
// update: imapserver sends "+ idling" before the session registers for
// notifications, so a message appended in between was only reported at
// the next command. idlePoller also polls every idlePoll while idling.
type idlePoller struct {
	imapserver.SessionIMAP4rev2
}

const idlePoll = 50 * time.Millisecond

var _ imapserver.SessionIMAP4rev2 = idlePoller{}

// Idle implements imapserver.Session; it blocks until stop is closed.
func (s idlePoller) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	done := make(chan error, 1)
	go func() { done <- s.SessionIMAP4rev2.Idle(w, stop) }()
	tick := time.NewTicker(idlePoll)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			if err := s.Poll(w, true); err != nil {
				<-done
				return err
			}
		}
	}
}

// NewMemBackend starts a MemBackend with the given user → password map,
// each user getting the style's folders plus any WithFolders ones.
func NewMemBackend(users map[string]string, opts ...MemOption) (*MemBackend, error) {
	if len(users) == 0 {
		return nil, errors.New("quirkserver: no users")
	}
	var cfg memConfig
	for _, o := range opts {
		o(&cfg)
	}
	mem := imapmemserver.New()
	b := &MemBackend{users: make(map[string]*imapmemserver.User), done: make(chan struct{})}
	names := make([]string, 0, len(users))
	for name := range users {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		u := imapmemserver.NewUser(name, users[name])
		for _, f := range append(cfg.style.Names(), cfg.extra...) {
			if err := u.Create(f, nil); err != nil {
				return nil, fmt.Errorf("quirkserver: create %q for %s: %w", f, name, err)
			}
			if err := u.Subscribe(f); err != nil {
				return nil, fmt.Errorf("quirkserver: subscribe %q: %w", f, err)
			}
		}
		mem.AddUser(u)
		b.users[name] = u
	}
	b.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			sess, ok := mem.NewSession().(imapserver.SessionIMAP4rev2)
			if !ok {
				return nil, nil, errors.New("quirkserver: imapmemserver session lacks IMAP4rev2 methods")
			}
			return idlePoller{sess}, nil, nil
		},
		Caps: imap.CapSet{
			imap.CapIMAP4rev1:    {},
			imap.CapNamespace:    {},
			imap.CapUIDPlus:      {},
			imap.CapMove:         {},
			imap.CapLiteralPlus:  {},
			imap.CapESearch:      {},
			imap.CapListExtended: {},
			imap.CapListStatus:   {},
			imap.CapSpecialUse:   {},
			imap.CapStatusSize:   {},
		},
		Logger:       discardLogger{},
		InsecureAuth: true,
		DebugWriter:  cfg.log,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("quirkserver: listen: %w", err)
	}
	b.ln = ln
	go func() {
		defer close(b.done)
		b.srv.Serve(ln)
	}()
	return b, nil
}

// Addr returns the backend's host:port.
func (b *MemBackend) Addr() string { return b.ln.Addr().String() }

// Close stops the server and closes its connections; it waits for the
// accept loop but not for connection goroutines, which end on their own
// once their sockets are closed. Idempotent.
func (b *MemBackend) Close() error {
	b.closeOnce.Do(func() {
		if err := b.srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			b.closeErr = fmt.Errorf("quirkserver: close backend: %w", err)
		}
		<-b.done
	})
	return b.closeErr
}

func (b *MemBackend) user(name string) (*imapmemserver.User, error) {
	u := b.users[name]
	if u == nil {
		return nil, fmt.Errorf("quirkserver: no user %q", name)
	}
	return u, nil
}

// CreateMailbox creates a folder (UTF-8 name, "/" delimiter) for user.
// Connections see it at their next LIST.
func (b *MemBackend) CreateMailbox(user, name string) error {
	u, err := b.user(user)
	if err != nil {
		return err
	}
	if err := u.Create(name, nil); err != nil {
		return fmt.Errorf("quirkserver: create %q: %w", name, err)
	}
	return nil
}

// literal adapts a byte slice to imap.LiteralReader.
type literal struct {
	*bytes.Reader
	size int64
}

func (l literal) Size() int64 { return l.size }

// Append stores raw in user's mailbox with flags and internal date (zero
// means now) and returns its UID. Connections idling on or selecting the
// mailbox are notified (EXISTS) as with an IMAP APPEND.
func (b *MemBackend) Append(user, mailbox string, raw []byte, flags []imap.Flag, date time.Time) (imap.UID, error) {
	u, err := b.user(user)
	if err != nil {
		return 0, err
	}
	data, err := u.Append(mailbox, literal{bytes.NewReader(raw), int64(len(raw))},
		&imap.AppendOptions{Flags: flags, Time: date})
	if err != nil {
		return 0, fmt.Errorf("quirkserver: append to %q: %w", mailbox, err)
	}
	return data.UID, nil
}
