package quirkserver

import (
	"bytes"
	"encoding/base64"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

func TestAliyun(t *testing.T) {
	srv, b := StartTest(t, Aliyun, nil)
	seed(t, b, "INBOX", 2)
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	untagged, done := rc.cmd("x1", `XLIST "" "*"`)
	if !strings.HasPrefix(done, "x1 OK") {
		t.Fatalf("XLIST: %q", done)
	}
	want := map[string]string{"INBOX": `\Inbox`, "Sent": `\Sent`, "Drafts": `\Drafts`, "Trash": `\Trash`, "Junk": `\Junk`}
	for _, l := range untagged {
		if !strings.HasPrefix(l, "* XLIST (") {
			t.Errorf("untagged %q", l)
			continue
		}
		f := strings.Fields(l)
		name := strings.Trim(f[len(f)-1], `"`)
		if role, ok := want[name]; ok && !strings.Contains(l, role) {
			t.Errorf("%s lacks %s: %q", name, role, l)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("XLIST missed %v in %q", want, untagged)
	}
	// Plain LIST carries no special-use attributes.
	untagged, _ = rc.cmd("l1", `LIST "" "*"`)
	for _, l := range untagged {
		if strings.Contains(l, `\Sent`) || strings.Contains(l, `\Inbox`) || !strings.HasPrefix(l, "* LIST") {
			t.Errorf("LIST line %q", l)
		}
	}
	rc.cmd("s1", "SELECT INBOX")
	for cmd, ok := range map[string]bool{
		"MOVE 1 Trash":                   false,
		"UID MOVE 1 Trash":               false,
		"UID SEARCH (ALL)":               false,
		"UID SEARCH OR SEEN NEW":         false,
		"SEARCH NOT SEEN":                true,
		"SEARCH SEEN UNDELETED":          true,
		"FETCH 1 (UID) (CHANGEDSINCE 1)": false,
	} {
		_, done := rc.cmd("t", cmd)
		if ok != strings.HasPrefix(done, "t OK") || !ok && !strings.HasPrefix(done, "t BAD") {
			t.Errorf("%s: %q", cmd, done)
		}
	}

	// AUTHENTICATE PLAIN with an initial response (SASL-IR) passes through.
	c, err := imapclient.DialInsecure(srv.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(sasl.NewPlainClient("", TestUser, TestPassword)); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN: %v", err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
}

func Test263ParenthesisedSearch(t *testing.T) {
	srv, b := StartTest(t, P263, nil)
	seed(t, b, "INBOX", 1)
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	rc.cmd("s", "SELECT INBOX")
	for cmd, ok := range map[string]bool{
		"UID SEARCH (ALL)":             false,
		"UID SEARCH NOT (SEEN)":        false,
		"UID SEARCH OR (SEEN) (NEW)":   false,
		"UID SEARCH ALL":               true,
		"UID SEARCH NOT SEEN":          true,
		"UID SEARCH OR SEEN UNDELETED": true,
	} {
		_, done := rc.cmd("t", cmd)
		if ok != strings.HasPrefix(done, "t OK") || !ok && !strings.HasPrefix(done, "t BAD") {
			t.Errorf("%s: %q", cmd, done)
		}
	}
}

func TestIdlePassesThrough(t *testing.T) {
	for _, p := range []Profile{Plain, NetEase, Exmail} {
		t.Run(string(p), func(t *testing.T) {
			srv, _ := StartTest(t, p, nil)
			exists := make(chan uint32, 16)
			a := dialClient(t, srv.Addr(), &imapclient.UnilateralDataHandler{
				Mailbox: func(d *imapclient.UnilateralDataMailbox) {
					if d.NumMessages != nil {
						exists <- *d.NumMessages
					}
				},
			})
			if p == NetEase {
				sendID(t, a)
			}
			if _, err := a.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			idle, err := a.Idle()
			if err != nil {
				t.Fatal(err)
			}
			// Another client appends through the proxy.
			bc := dialClient(t, srv.Addr(), nil)
			msg := "Subject: pushed\r\n\r\nhello\r\n"
			cmd := bc.Append("INBOX", int64(len(msg)), nil)
			cmd.Write([]byte(msg))
			cmd.Close()
			if _, err := cmd.Wait(); err != nil {
				t.Fatalf("append: %v", err)
			}
			select {
			case n := <-exists:
				if n != 1 {
					t.Errorf("EXISTS %d", n)
				}
			case <-time.After(ioWait):
				t.Fatal("no EXISTS while idling")
			}
			if err := idle.Close(); err != nil {
				t.Fatal(err)
			}
			if err := idle.Wait(); err != nil {
				t.Fatalf("idle: %v", err)
			}
			// The connection is back in command mode.
			if err := a.Noop().Wait(); err != nil {
				t.Fatalf("NOOP after IDLE: %v", err)
			}
		})
	}
}

func TestNoIDLE(t *testing.T) {
	srv, _ := StartTestOptions(t, Options{Profile: Exmail, NoIDLE: true}, nil)
	for _, c := range srv.Caps() {
		if c == "IDLE" {
			t.Fatal("IDLE advertised")
		}
	}
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	rc.cmd("s", "SELECT INBOX")
	if _, done := rc.cmd("i", "IDLE"); !strings.HasPrefix(done, "i BAD") {
		t.Fatalf("IDLE: %q", done)
	}
	if _, done := rc.cmd("n", "NOOP"); !strings.HasPrefix(done, "n OK") {
		t.Fatalf("NOOP: %q", done)
	}
}

func TestLiterals(t *testing.T) {
	// Message bytes with 8-bit text, a bare CR and NULs must arrive exactly.
	body := []byte("Subject: =?UTF-8?B?5rWL6K+V?=\r\n\r\n中文\x00\r bare\r\n")
	for _, p := range []Profile{Plain, NetEase} {
		t.Run(string(p), func(t *testing.T) {
			srv, _ := StartTest(t, p, nil)
			rc, _ := dialRaw(t, srv.Addr())
			// Synchronising literals in LOGIN: the proxy says "+" itself
			// and waits for the backend's "+" before forwarding each one.
			rc.send("l1 LOGIN {" + itoa(len(TestUser)) + "}\r\n")
			if l := rc.line(); !strings.HasPrefix(l, "+") {
				t.Fatalf("continuation: %q", l)
			}
			rc.send(TestUser + " {" + itoa(len(TestPassword)) + "}\r\n")
			if l := rc.line(); !strings.HasPrefix(l, "+") {
				t.Fatalf("continuation: %q", l)
			}
			rc.send(TestPassword + "\r\n")
			if _, done := rc.until("l1"); !strings.HasPrefix(done, "l1 OK") {
				t.Fatalf("literal LOGIN: %q", done)
			}
			// Non-synchronising literal (LITERAL+): no continuation.
			rc.send("a1 APPEND INBOX (\\Seen) {" + itoa(len(body)) + "+}\r\n")
			rc.send(string(body) + "\r\n")
			if _, done := rc.until("a1"); !strings.HasPrefix(done, "a1 OK") {
				t.Fatalf("APPEND {N+}: %q", done)
			}
			// Synchronising APPEND.
			drafts := FolderStyleFor(p).Names()[2]
			rc.send("a2 APPEND " + encodeMUTF7(drafts) + " {" + itoa(len(body)) + "}\r\n")
			if l := rc.line(); !strings.HasPrefix(l, "+") {
				t.Fatalf("continuation: %q", l)
			}
			rc.send(string(body) + "\r\n")
			if _, done := rc.until("a2"); !strings.HasPrefix(done, "a2 OK") {
				t.Fatalf("APPEND {N}: %q", done)
			}
			// A literal mailbox name inside a command.
			rc.send("c1 CREATE {" + itoa(len("客户/重要")) + "}\r\n")
			if l := rc.line(); !strings.HasPrefix(l, "+") {
				t.Fatalf("continuation: %q", l)
			}
			rc.send("客户/重要\r\n")
			rc.until("c1") // UTF-8 names are the backend's business

			c := dialClient(t, srv.Addr(), nil)
			if p == NetEase {
				sendID(t, c)
			}
			for _, mbox := range []string{"INBOX", drafts} {
				if _, err := c.Select(mbox, nil).Wait(); err != nil {
					t.Fatal(err)
				}
				msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{
					BodySection: []*imap.FetchItemBodySection{{Peek: true}},
				}).Collect()
				if err != nil || len(msgs) != 1 {
					t.Fatalf("fetch %s: %v %d", mbox, err, len(msgs))
				}
				got := msgs[0].FindBodySection(&imap.FetchItemBodySection{Peek: true})
				if !bytes.Equal(got, body) {
					t.Errorf("%s body %q, want %q", mbox, got, body)
				}
			}
		})
	}
}

func TestExmailRejectsLiteralPlus(t *testing.T) {
	srv, _ := StartTest(t, Exmail, nil)
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	rc.send("a1 APPEND INBOX {5+}\r\nhello\r\n")
	if _, done := rc.until("a1"); !strings.HasPrefix(done, "a1 BAD") {
		t.Fatalf("{N+} without LITERAL+: %q", done)
	}
	if _, done := rc.cmd("n", "NOOP"); !strings.HasPrefix(done, "n OK") {
		t.Fatalf("NOOP: %q", done)
	}
}

func TestAuthenticateLogin(t *testing.T) {
	srv, _ := StartTest(t, Exmail, nil)
	rc, _ := dialRaw(t, srv.Addr())
	b64 := base64.StdEncoding.EncodeToString
	rc.send("a1 AUTHENTICATE LOGIN\r\n")
	if l := rc.line(); l != "+ "+b64([]byte("Username:")) {
		t.Fatalf("challenge %q", l)
	}
	rc.send(b64([]byte(TestUser)) + "\r\n")
	if l := rc.line(); l != "+ "+b64([]byte("Password:")) {
		t.Fatalf("challenge %q", l)
	}
	rc.send(b64([]byte(TestPassword)) + "\r\n")
	if _, done := rc.until("a1"); !strings.HasPrefix(done, "a1 OK") {
		t.Fatalf("AUTHENTICATE LOGIN: %q", done)
	}
	if _, done := rc.cmd("s", "SELECT INBOX"); !strings.HasPrefix(done, "s OK") {
		t.Fatalf("select: %q", done)
	}
	rc2, _ := dialRaw(t, srv.Addr())
	rc2.send("a1 AUTHENTICATE LOGIN " + b64([]byte(TestUser)) + "\r\n")
	if _, done := rc2.until("a1"); !strings.HasPrefix(done, "a1 BAD") {
		t.Fatalf("SASL-IR without SASL-IR capability: %q", done)
	}
	// A wrong password gets the backend's NO.
	rc2.send("a2 AUTHENTICATE LOGIN\r\n")
	rc2.line()
	rc2.send(b64([]byte(TestUser)) + "\r\n")
	rc2.line()
	rc2.send(b64([]byte("wrong")) + "\r\n")
	if _, done := rc2.until("a2"); !strings.HasPrefix(done, "a2 NO") {
		t.Fatalf("wrong password: %q", done)
	}
}

func TestAuthenticatePlainWithoutInitialResponse(t *testing.T) {
	// Exmail has no SASL-IR: the client waits for "+" and answers on its
	// own line, which the proxy forwards raw.
	srv, _ := StartTest(t, Exmail, nil)
	c, err := imapclient.DialInsecure(srv.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Authenticate(sasl.NewPlainClient("", TestUser, TestPassword)); err != nil {
		t.Fatalf("AUTHENTICATE PLAIN: %v", err)
	}
	if _, err := c.Select("已发送", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if got := srv.Stats().Commands["AUTHENTICATE"]; got != 1 {
		t.Errorf("AUTHENTICATE counted %d times", got)
	}
}

func TestWireLogRedactsSecrets(t *testing.T) {
	var log syncBuffer
	srv, _ := StartTestOptions(t, Options{Profile: NetEase, Log: &log}, nil)
	c := dialClient(t, srv.Addr(), nil)
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if s := log.String(); strings.Contains(s, TestPassword) || !strings.Contains(s, "LOGIN <redacted>") {
		t.Errorf("log:\n%s", s)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		backend, err := NewMemBackend(map[string]string{TestUser: TestPassword})
		if err != nil {
			t.Fatal(err)
		}
		srv, err := Start(Options{Profile: Coremail, Backend: backend.Addr()})
		if err != nil {
			t.Fatal(err)
		}
		// An idling client, a hung client and a half-sent literal.
		a := dialClient(t, srv.Addr(), nil)
		sendID(t, a)
		a.Select("INBOX", nil).Wait()
		if _, err := a.Idle(); err != nil {
			t.Fatal(err)
		}
		rc, _ := dialRaw(t, srv.Addr())
		rc.login()
		rc.send("e ENABLE CONDSTORE\r\n")
		rc2, _ := dialRaw(t, srv.Addr())
		rc2.send("l LOGIN {3}\r\n")
		rc2.line()
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
		if err := backend.Close(); err != nil {
			t.Fatal(err)
		}
		a.Close()
		rc.conn.Close()
		rc2.conn.Close()
	}()
	deadline := time.Now().Add(ioWait)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
