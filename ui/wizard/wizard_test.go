package wizard

import (
	"strings"
	"testing"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/fakedns"
	"github.com/magpie-mail/magpie/ui/i18n"
)

func TestPresetPathShowsTheProvidersSteps(t *testing.T) {
	p := printer(i18n.ZH)
	d := newDriver(t, Deps{Printer: p, Config: emptyConfig(t), Secrets: &account.MemorySecrets{}})
	d.wantView("QQ邮箱", "腾讯企业邮箱", "其他（自动查找或手动填写服务器）")
	d.pick("qq")
	d.wantView("服务商：QQ邮箱")

	d.keys("enter")
	d.wantStep(stepAddress)
	d.wantView(p.T("wizard.address.empty"))
	d.typ("chen at qq.com")
	d.keys("enter")
	d.wantView("不是有效的邮箱地址")
	d.keys("ctrl+u")
	d.typ("chen@qq.com")
	d.keys("enter")
	d.wantStep(stepPassword)
	pr, _ := account.LookupProvider("qq")
	d.wantView("QQ邮箱 的设置步骤：", "授权码", p.T("account.password.prompt", "chen@qq.com"))
	if d.m.acct.IMAP != pr.IMAP || d.m.acct.SMTP != pr.SMTP || d.m.acct.Provider != "qq" {
		t.Fatalf("account %+v", d.m.acct)
	}

	d.keys("enter")
	d.wantStep(stepPassword)
	d.wantView(p.T("wizard.password.empty"))
	d.typ("secret")
	if v := d.view(); strings.Contains(v, "secret") || !strings.Contains(v, "••••••") {
		t.Fatalf("the password is not masked:\n%s", v)
	}

	d.keys("esc")
	d.wantStep(stepAddress)
	d.keys("esc")
	d.wantStep(stepProvider)
	d.keys("esc") // nothing before the first step
	d.wantStep(stepProvider)
	d.keys("ctrl+c")
	if len(d.out) != 1 {
		t.Fatalf("out %v", d.out)
	}
	if _, ok := d.out[0].(CancelledMsg); !ok {
		t.Fatalf("out %#v, want CancelledMsg", d.out[0])
	}
}

func TestOtherDiscoversThroughMX(t *testing.T) {
	d := newDriver(t, Deps{Printer: printer(i18n.EN), Config: emptyConfig(t), Secrets: &account.MemorySecrets{},
		Discoverer: account.Discoverer{
			Resolver:   fakedns.Start(t, "corp.test. 300 IN MX 10 mxbiz1.qq.com."),
			HTTPClient: noWeb(t),
		}})
	d.pick("")
	d.wantView("After enter, Magpie looks up")
	d.typ("chen@corp.test")
	d.keys("enter")
	d.wantStep(stepDiscovered)
	d.wantView("✓ Found the servers through mx", "imap.exmail.qq.com:993 (tls)", "Provider: Tencent Exmail",
		"Your password will go only to the servers above")
	d.keys("enter")
	d.wantStep(stepPassword)
	d.wantView("Steps for Tencent Exmail:", "Generate new password")
	if a := d.m.acct; a.Provider != "exmail" || a.IMAP.Host != "imap.exmail.qq.com" || a.SMTP.Host != "smtp.exmail.qq.com" {
		t.Fatalf("account %+v", a)
	}
	d.keys("esc")
	d.wantStep(stepDiscovered)
	d.keys("e") // edit by hand: the form starts with what was found
	d.wantStep(stepManual)
	if got := d.m.manual.imap.Value(); got != "imap.exmail.qq.com:993" {
		t.Fatalf("form IMAP %q", got)
	}
}

func TestOtherFallsBackToTheManualForm(t *testing.T) {
	p := printer(i18n.EN)
	d := newDriver(t, Deps{Printer: p, Config: emptyConfig(t), Secrets: &account.MemorySecrets{},
		Discoverer: account.Discoverer{
			Resolver:   fakedns.Start(t, "bare.test. 300 IN A 127.0.0.1"),
			HTTPClient: noWeb(t),
		}})
	d.pick("")
	d.typ("me@bare.test")
	d.keys("enter")
	d.wantStep(stepDiscovered)
	d.wantView("Found no server settings for me@bare.test. Tried:", "- preset-domain bare.test: no preset",
		"- autoconfig https://autoconfig.bare.test/", "- mx bare.test", p.T("wizard.discover.manual"))

	d.keys("e") // not offered after a failure
	d.wantStep(stepDiscovered)
	d.keys("enter")
	d.wantStep(stepManual)

	// Enter moves through the fields; in the last one it submits.
	d.keys("enter", "enter", "enter", "enter", "enter")
	d.wantStep(stepManual)
	d.wantView(p.T("wizard.manual.need_imap"))
	if d.m.manual.focus != fieldIMAP {
		t.Fatalf("focus %d, want the IMAP field", d.m.manual.focus)
	}
	d.typ("mail.bare.test")
	d.keys("tab", "tab", "tab", "tab", "enter")
	d.wantView("IMAP should be host:port")

	d.typ(":993")
	d.keys("tab", "tab")
	d.typ("mail.bare.test:587")
	d.keys("tab", "right", "right", "right") // SMTP: auto → tls → starttls → insecure-plain
	d.wantView("Warning: without encryption")
	d.keys("left") // back to starttls
	d.keys("tab")
	d.typ("me")
	d.keys("enter")
	d.wantStep(stepPassword)
	d.wantView("Use the password your provider gives mail clients")
	a := d.m.acct
	wantIMAP := account.Endpoint{Host: "mail.bare.test", Port: 993, Security: account.SecurityTLS}
	wantSMTP := account.Endpoint{Host: "mail.bare.test", Port: 587, Security: account.SecuritySTARTTLS}
	if a.IMAP != wantIMAP || a.SMTP != wantSMTP || a.Username != "me" || a.Provider != "" {
		t.Fatalf("account %+v", a)
	}
	d.keys("esc")
	d.wantStep(stepManual)
	d.keys("esc")
	d.wantStep(stepDiscovered)
	d.keys("esc")
	d.wantStep(stepAddress)
}

func TestStaleResultsAreDropped(t *testing.T) {
	d := newDriver(t, Deps{Printer: printer(i18n.EN), Config: emptyConfig(t), Secrets: &account.MemorySecrets{}})
	d.pick("")
	d.typ("me@bare.test")
	d.runs = false
	d.keys("enter")
	d.wantStep(stepDiscovering)
	asked := d.m.seq
	d.keys("esc") // give up waiting
	d.wantStep(stepAddress)
	d.send(DiscoveredMsg{ID: asked, Discovery: account.Discovery{IMAP: account.Endpoint{Host: "evil.test", Port: 993, Security: account.SecurityTLS}}})
	d.wantStep(stepAddress)

	d.keys("enter")
	d.wantStep(stepDiscovering)
	d.send(DiscoveredMsg{ID: d.m.seq - 1})
	d.wantStep(stepDiscovering)
	d.send(ProbedMsg{ID: d.m.seq})
	d.wantStep(stepDiscovering)
	d.send(SecretSavedMsg{ID: d.m.seq})
	d.wantStep(stepDiscovering)
}

func TestDefaultName(t *testing.T) {
	cfg := emptyConfig(t)
	cfg.Accounts = []account.Account{{Name: "chen"}, {Name: "chen-2"}}
	for email, want := range map[string]string{
		"chen@qq.com":         "chen-3",
		"li.ming@corp.test":   "li.ming",
		"sales+cn@corp.test":  "sales-cn",
		"陈明@例子.中国":            "陈明",
		`"a b"@example.com`:   "a-b",
		"++@example.com":      "mail",
		"Zhang_San@corp.test": "Zhang_San",
	} {
		got := defaultName(email, cfg)
		if got != want {
			t.Errorf("defaultName(%q) = %q, want %q", email, got, want)
		}
		if !account.ValidName(got) {
			t.Errorf("defaultName(%q) = %q is not a valid name", email, got)
		}
	}
}

func TestEveryProblemHasAFix(t *testing.T) {
	problems := []account.Problem{
		account.ProblemWrongPassword, account.ProblemIMAPDisabled, account.ProblemUnsafeLogin,
		account.ProblemAccountLocked, account.ProblemTLS, account.ProblemNotTLS, account.ProblemNoGreeting,
		account.ProblemNoSTARTTLS, account.ProblemRefused, account.ProblemTimeout, account.ProblemDNS,
		account.ProblemNoPassword, account.ProblemKeyring, account.ProblemPasswordCmd,
		account.ProblemUnavailable, account.ProblemAuthzid, account.ProblemCanceled, account.ProblemUnknown,
	}
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		p := printer(lang)
		for _, pr := range problems {
			for _, k := range []string{"diag." + string(pr), fixKey(pr)} {
				if p.T(k) == k {
					t.Errorf("%s: no catalogue entry %q", lang, k)
				}
			}
		}
	}
}

func TestWrapTextKeepsCJKWithinWidth(t *testing.T) {
	s := "网页版QQ邮箱:设置 > 账号(账户) > “POP3/IMAP/SMTP/Exchange/CardDAV/CalDAV服务”,开启 IMAP/SMTP 服务,按提示验证后“生成授权码”，把16位授权码填到 Magpie。"
	for _, w := range []int{10, 23, 40, 76} {
		lines := wrapText(s, w)
		var joined strings.Builder
		for _, l := range lines {
			if n := len([]rune(l)); n == 0 {
				t.Errorf("width %d: empty line in %q", w, lines)
			}
			if cw := stringWidth(l); cw > w {
				t.Errorf("width %d: line %q is %d cells", w, l, cw)
			}
			if strings.HasPrefix(l, "，") || strings.HasPrefix(l, "。") {
				t.Errorf("width %d: line starts with closing punctuation: %q", w, l)
			}
			joined.WriteString(l)
		}
		if strip := func(x string) string { return strings.ReplaceAll(x, " ", "") }; strip(joined.String()) != strip(s) {
			t.Errorf("width %d: text lost:\n%q\n%q", w, joined.String(), s)
		}
	}
}

func TestUnverifiedDiscoveryIsFlagged(t *testing.T) {
	d := newDriver(t, Deps{Printer: printer(i18n.EN), Config: emptyConfig(t), Secrets: &account.MemorySecrets{}})
	d.runs = false
	d.pick("")
	d.typ("me@plain.test")
	d.keys("enter")
	imap := account.Endpoint{Host: "mail.plain.test", Port: 993, Security: account.SecurityTLS}
	d.send(DiscoveredMsg{ID: d.m.seq, Discovery: account.Discovery{IMAP: imap, Username: "me@plain.test",
		Source: account.SourceAutoconfig, Unverified: true}})
	d.wantStep(stepDiscovered)
	d.wantView("Careful: these settings came over plain http", "mail.plain.test:993 (tls)")
	d.keys("enter")
	d.wantStep(stepPassword)
	if a := d.m.acct; a.IMAP != imap || !a.SMTP.IsZero() || a.Username != "" {
		t.Fatalf("account %+v", a)
	}
	d.keys("ctrl+c")
	d.wantStep(stepPassword)
}
