package cli

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// closedAddr returns a loopback address nothing listens on (a port just
// released): connecting to it is refused, as at a host without ManageSieve.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestRulesDiscoveryFallsBackHere: an account added without --sieve looks
// for ManageSieve on its IMAP host's port 4190; where that port is closed,
// the rules are kept on this computer, the command says so, and `magpie
// sync` files new mail by them.
func TestRulesDiscoveryFallsBackHere(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	d.Doveadm(t, "mailbox", "create", "-u", u.Email, "客户")
	h := addDovecotAccount(t, "en_US.UTF-8", d, u)
	// Port 4190 of the IMAP host is closed (whatever else this machine
	// runs there): every connection to it goes to a released port.
	closed := closedAddr(t)
	var sieveTries atomic.Int32
	h.dialer.NetDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if strings.HasSuffix(addr, ":4190") {
			sieveTries.Add(1)
			addr = closed
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	mustRun(t, h, "", "sync", "--once", "dove")
	r := mustRun(t, h, "", "rules", "add", "dove", "--name", "q", "--if", "subject:报价", "--then", "move:客户")
	if !strings.Contains(r.stdout, "No ManageSieve answered on dove's IMAP host (127.0.0.1:4190)") || sieveTries.Load() == 0 {
		t.Fatalf("add (%d tries of 4190):\n%s%s", sieveTries.Load(), r.stdout, r.stderr)
	}
	if r := mustRun(t, h, "", "rules", "list", "dove"); !strings.Contains(r.stdout, "1. q") {
		t.Errorf("list:\n%s", r.stdout)
	}

	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"sync", "dove"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return h.env[k] }, Secrets: h.secrets, Dialer: h.dialer, Version: "test"})
	}()
	d.Deliver(t, u.Email, mailFrom("buyer@client.example", u.Email, "报价 new"))
	d.WaitMessages(t, u.Email, "客户", 1)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "the rules handled 1 new message(s) (1 moved") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(out.String(), "the rules handled 1 new message(s) (1 moved") {
		t.Errorf("sync output:\n%s\n%s", out.String(), errOut.String())
	}
}
