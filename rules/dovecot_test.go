package rules_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/rules/managesieve"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

func dialSieve(t *testing.T, d *testenv.DovecotServer, u testenv.User) *managesieve.Client {
	t.Helper()
	c, err := managesieve.Dial(t.Context(), d.Addr(d.SievePort), managesieve.Options{
		TLS: d.TLSConfig(), Username: u.Name, Password: u.Password,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// mail builds a small message; extra header lines and a body may be added.
func mail(from, to, subject, extra, body string) []byte {
	n := strings.NewReplacer(" ", "", "@", ".").Replace(subject + from)
	return fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%x@test>\r\nDate: Sat, 21 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n%sContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, to, subject, n, extra, body)
}

func withAttachment(from, to, subject string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <att-%d@test>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n见附件。\r\n"+
		"--b1\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?5oql5Lu3LnBkZg==?=\"\r\nContent-Disposition: attachment; filename=\"=?UTF-8?B?5oql5Lu3LnBkZg==?=\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n", from, to, subject, len(subject))
}

// TestServerRulesOnDovecot uploads rules over ManageSieve to Dovecot with
// Pigeonhole, delivers mail by LMTP and checks where it lands; a script the
// user had active before keeps running, included by Magpie's.
func TestServerRulesOnDovecot(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	c := dialSieve(t, d, u)
	ctx := t.Context()

	caps := c.Capabilities()
	for _, ext := range []string{"fileinto", "mailbox", "imap4flags", "copy", "body", "mime", "vacation", "include", "regex", "date", "relational"} {
		if !caps.Has(ext) {
			t.Fatalf("Pigeonhole lacks %s: %v", ext, caps.Sieve)
		}
	}

	// The user's own script, active before Magpie arrives.
	legacy := "require [\"fileinto\", \"mailbox\"];\nif header :contains \"subject\" \"legacy\" { fileinto :create \"Legacy\"; }\n"
	if err := c.PutScript(ctx, "roundcube", legacy); err != nil {
		t.Fatal(err)
	}
	if err := c.SetActive(ctx, "roundcube"); err != nil {
		t.Fatal(err)
	}
	// CHECKSCRIPT reports a broken script with the server's reason.
	if err := c.CheckScript(ctx, "if true { fileinto \"x\"; }"); !rules.IsCheckError(err) {
		t.Fatalf("broken script: %v", err)
	}

	set := rules.Set{
		Rules: []rules.Rule{
			{Name: "报价", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "报价"}},
				Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "客户/2026"}, {Kind: rules.ActionFlag}}},
			{Name: "销售别名", Conditions: []rules.Condition{{Field: rules.FieldIdentity, Value: "sales@" + testenv.TestDomain}},
				Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "销售部"}, {Kind: rules.ActionStop}}},
			{Name: "附件", Conditions: []rules.Condition{{Field: rules.FieldAttachment}},
				Actions: []rules.Action{{Kind: rules.ActionCopy, Arg: "附件"}, {Kind: rules.ActionKeyword, Arg: "Invoice"}}},
			{Name: "off", Disabled: true, Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "nothing"}},
				Actions: []rules.Action{{Kind: rules.ActionDelete}}},
		},
		Block: []string{"@spam.example", "pest@bad.example"},
		Allow: []string{"friend@spam.example"},
	}
	inst, err := rules.Install(ctx, c, set, rules.CompileOptions{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(inst.Included) != 1 || inst.Included[0] != "roundcube" {
		t.Fatalf("included %v, want the user's active script", inst.Included)
	}
	st, err := rules.Load(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.CurrentSet()
	if err != nil || !st.Active || len(got.Rules) != 4 || got.Rules[0].Name != "报价" {
		t.Fatalf("read back: active %v set %+v err %v", st.Active, got, err)
	}
	if len(st.Others) != 1 || st.Others[0].Text != legacy || st.Others[0].Active {
		t.Fatalf("user script: %+v", st.Others)
	}

	me, alias := u.Email, "sales@"+testenv.TestDomain
	d.Deliver(t, me, mail("buyer@client.example", me, "关于报价单", "", "请查收"))
	d.Deliver(t, me, mail("buyer@client.example", alias, "sales question", "", "hi"))
	d.Deliver(t, me, withAttachment("buyer@client.example", me, "invoice attached"))
	d.Deliver(t, me, mail("x@spam.example", me, "cheap", "", "buy"))
	d.Deliver(t, me, mail("PEST@bad.example", me, "again", "", "buy"))
	d.Deliver(t, me, mail("friend@spam.example", me, "dinner?", "", "hi"))
	d.Deliver(t, me, mail("old@friend.example", me, "a legacy rule", "", "hi"))
	d.Deliver(t, me, mail("someone@else.example", me, "nothing special", "", "hi"))

	for box, want := range map[string]int{
		"客户/2026": 1, "销售部": 1, "附件": 1, "Junk": 2, "Legacy": 1,
		// attachment copy kept, friend allowed, "nothing special" (its rule is off)
		"INBOX": 3, "Trash": 0,
	} {
		if n := d.MessageCount(t, me, box); n != want {
			t.Errorf("%s: %d messages, want %d\n%s", box, n, want, d.LogTail(20))
		}
	}
	flags := d.Doveadm(t, "fetch", "-u", me, "flags", "mailbox", "客户/2026")
	if !strings.Contains(flags, `\Flagged`) {
		t.Errorf("报价 not flagged: %q", flags)
	}
	kw := d.Doveadm(t, "fetch", "-u", me, "flags", "mailbox", "附件")
	if !strings.Contains(kw, "Invoice") {
		t.Errorf("attachment copy lacks keyword: %q", kw)
	}

	// A hand edit is detected, and Install then refuses to overwrite it.
	if err := c.PutScript(ctx, rules.ScriptName, inst.Script+"# my note\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := rules.Install(ctx, c, set, rules.CompileOptions{}, false); !errors.Is(err, rules.ErrEdited) {
		t.Fatalf("install over a hand edit: %v", err)
	}
	// Re-installing (forced) keeps including the user's script.
	inst, err = rules.Install(ctx, c, set, rules.CompileOptions{}, true)
	if err != nil || len(inst.Included) != 1 {
		t.Fatalf("reinstall: %v %v", inst.Included, err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDialRefusesWrongCertificate(t *testing.T) {
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	cfg := d.TLSConfig()
	cfg.ServerName = "wrong.example"
	_, err := managesieve.Dial(t.Context(), d.Addr(d.SievePort), managesieve.Options{TLS: cfg, Username: u.Name, Password: u.Password})
	if err == nil || strings.Contains(err.Error(), u.Password) {
		t.Fatalf("wrong name accepted or password in error: %v", err)
	}
	_, err = managesieve.Dial(t.Context(), d.Addr(d.SievePort), managesieve.Options{TLS: d.TLSConfig(), Username: u.Name, Password: "wrong-" + u.Password})
	var me *managesieve.Error
	if !errors.As(err, &me) || me.Status != "NO" || strings.Contains(err.Error(), u.Password) {
		t.Fatalf("wrong password: %v", err)
	}
}
