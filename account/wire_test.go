package account

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

// scriptedTrace feeds a traceConn client writes and server reads in order
// over a real pipe, and returns the log.
func scriptedTrace(t *testing.T, proto string, steps []struct {
	client bool
	data   string
}) string {
	t.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	var log bytes.Buffer
	tc := newTraceConn(a, proto, &log)
	for _, s := range steps {
		if s.client {
			go func(d string) { buf := make([]byte, len(d)); _, _ = b.Read(buf) }(s.data)
			if _, err := tc.Write([]byte(s.data)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		go func(d string) { _, _ = b.Write([]byte(d)) }(s.data)
		buf := make([]byte, len(s.data))
		for n := 0; n < len(buf); {
			m, err := tc.Read(buf[n:])
			if err != nil {
				t.Fatal(err)
			}
			n += m
		}
	}
	return log.String()
}

type step = struct {
	client bool
	data   string
}

func TestTraceRedactsCredentials(t *testing.T) {
	const secret = "s3cr3t-授权码"
	cases := []struct {
		name  string
		proto string
		steps []step
		keep  []string
	}{
		{"imap login quoted", "imap", []step{
			{false, "* OK ready\r\n"},
			{true, "T1 LOGIN \"me@x\" \"" + secret + "\"\r\n"},
			{false, "T1 OK logged in\r\n"},
			{true, "T2 SELECT INBOX\r\n"},
		}, []string{"S: * OK ready", "C: T1 LOGIN [credentials redacted]", "S: T1 OK logged in", "C: T2 SELECT INBOX"}},
		{"imap login literal", "imap", []step{
			{true, "T1 LOGIN {4}\r\n"},
			{false, "+ go ahead\r\n"},
			{true, "me@x {16}\r\n"},
			{false, "+ go ahead\r\n"},
			{true, secret + "\r\n"},
			{false, "T1 NO [AUTHENTICATIONFAILED] bad\r\n"},
			{true, "T2 LOGOUT\r\n"},
		}, []string{"C: T1 LOGIN [credentials redacted]", "S: T1 NO", "C: T2 LOGOUT"}},
		{"imap authenticate with continuation", "imap", []step{
			{true, "T3 AUTHENTICATE PLAIN\r\n"},
			{false, "+ \r\n"},
			{true, "AG1lAHMzY3IzdA==" + secret + "\r\n"},
			{false, "T3 OK done\r\n"},
		}, []string{"C: T3 AUTHENTICATE PLAIN [credentials redacted]", "S: T3 OK done"}},
		{"imap authenticate sasl-ir", "imap", []step{
			{true, "T3 AUTHENTICATE PLAIN AG1lAHMzY3IzdA" + secret + "\r\n"},
			{false, "T3 OK done\r\n"},
		}, []string{"C: T3 AUTHENTICATE PLAIN [credentials redacted]"}},
		{"smtp auth login", "smtp", []step{
			{true, "AUTH LOGIN\r\n"},
			{false, "334 VXNlcm5hbWU6\r\n"},
			{true, "bWVAeA==\r\n"},
			{false, "334 UGFzc3dvcmQ6\r\n"},
			{true, secret + "\r\n"},
			{false, "235 2.7.0 ok\r\n"},
			{true, "MAIL FROM:<me@x>\r\n"},
		}, []string{"C: AUTH LOGIN [credentials redacted]", "S: 235 2.7.0 ok", "C: MAIL FROM:<me@x>"}},
		{"smtp auth plain ir", "smtp", []step{
			{true, "AUTH PLAIN AG1l" + secret + "\r\n"},
			{false, "535 5.7.8 nope\r\n"},
		}, []string{"C: AUTH PLAIN [credentials redacted]", "S: 535"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := scriptedTrace(t, tc.proto, tc.steps)
			if strings.Contains(log, secret) || strings.Contains(log, "me@x {16}") || strings.Contains(log, "AG1l") || strings.Contains(log, "bWVAeA") {
				t.Fatalf("credential leaked into the trace:\n%s", log)
			}
			for _, k := range tc.keep {
				if !strings.Contains(log, k) {
					t.Errorf("trace lacks %q:\n%s", k, log)
				}
			}
		})
	}
}

func TestStripCapabilityCode(t *testing.T) {
	got := stripCapabilityCode("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.")
	if got != "* OK Dovecot ready." {
		t.Errorf("got %q", got)
	}
}
