package quirkserver

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ioWait bounds every raw read so a broken proxy fails the test instead of
// hanging it; no test asserts how long anything takes.
const ioWait = 10 * time.Second

// rawClient speaks IMAP by hand, for exact wire assertions.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t testing.TB, addr string) (*rawClient, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	rc := &rawClient{t: t, conn: c, r: bufio.NewReader(c)}
	return rc, rc.line()
}

// line reads one line without its CRLF.
func (c *rawClient) line() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(ioWait))
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (partial %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

func (c *rawClient) send(s string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// cmd sends "tag rest\r\n" and returns the untagged lines and the tagged
// completion line.
func (c *rawClient) cmd(tag, rest string) (untagged []string, done string) {
	c.t.Helper()
	c.send(tag + " " + rest + "\r\n")
	return c.until(tag)
}

// until reads lines up to the tagged response for tag.
func (c *rawClient) until(tag string) (untagged []string, done string) {
	c.t.Helper()
	for {
		l := c.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l
		}
		untagged = append(untagged, l)
	}
}

// expectSilence asserts that nothing arrives within a bounded wait.
func (c *rawClient) expectSilence(wait time.Duration) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(wait))
	l, err := c.r.ReadString('\n')
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || l != "" {
		c.t.Fatalf("expected no response, got %q (err %v)", l, err)
	}
}

func (c *rawClient) login() {
	c.t.Helper()
	if _, done := c.cmd("L1", fmt.Sprintf("LOGIN %q %q", TestUser, TestPassword)); !strings.HasPrefix(done, "L1 OK") {
		c.t.Fatalf("login: %s", done)
	}
}

// dialClient connects go-imap's client to the proxy and logs in.
func dialClient(t testing.TB, addr string, h *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	opts := &imapclient.Options{UnilateralDataHandler: h}
	if os.Getenv("QUIRK_TRACE") != "" {
		opts.DebugWriter = os.Stderr
	}
	c, err := imapclient.DialInsecure(addr, opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(TestUser, TestPassword).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	return c
}

// sendID sends the ID form NetEase documents.
func sendID(t testing.TB, c *imapclient.Client) {
	t.Helper()
	if _, err := c.ID(&imap.IDData{Name: "magpie", Version: "0.1"}).Wait(); err != nil {
		t.Fatalf("ID: %v", err)
	}
}

func seed(t testing.TB, b *MemBackend, mailbox string, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		msg := fmt.Sprintf("From: a@example.cn\r\nSubject: m%d\r\n\r\nbody %d\r\n", i, i)
		if _, err := b.Append(TestUser, mailbox, []byte(msg), nil, time.Time{}); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
}

func statusErr(t testing.TB, err error) *imap.Error {
	t.Helper()
	var ie *imap.Error
	if !errors.As(err, &ie) {
		t.Fatalf("expected an IMAP status error, got %v", err)
	}
	return ie
}

func itoa(n int) string { return strconv.Itoa(n) }

// syncBuffer is a bytes.Buffer safe for the proxy's concurrent log writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
