package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/composer"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// queueFailed puts a message refused for a recipient in the store's outbox.
func queueFailed(t *testing.T, f fixture) store.OutboxID {
	t.Helper()
	ctx := context.Background()
	out := &message.Outgoing{From: message.Address{Addr: "me@example.cn"}, To: []message.Address{{Name: "王芳", Addr: "nobody@client.com"}},
		Bcc: []message.Address{{Addr: "boss@example.cn"}}, Subject: "季度报告", Text: "请查收附件。"}
	raw, err := out.Build()
	must(t, err)
	id, err := f.st.QueueOutgoing(ctx, store.Outgoing{Account: f.work, From: "me@example.cn",
		Rcpts: out.Recipients(), MsgID: out.MessageID, Subject: out.Subject, Raw: raw})
	must(t, err)
	must(t, f.st.ClaimOutgoing(ctx, id))
	reason := `{"kind":"recipient","rcpts":["nobody@client.com"],"code":550,"text":"5.1.1 mailbox unavailable"}`
	must(t, f.st.ReleaseOutgoing(ctx, id, reason, true))
	return id
}

func TestOutboxPanelShowsWhyAndTheFix(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ZH} {
		f := newFixture(t)
		queueFailed(t, f)
		m := newTestModel(t, f, lang, 100, 30)
		if want := map[i18n.Lang]string{i18n.EN: "outbox 1 (O)", i18n.ZH: "发件箱 1（O）"}[lang]; !strings.Contains(strings.Split(screen(m), "\n")[0], want) {
			t.Errorf("%s: the title line does not say %q:\n%s", lang, want, screen(m))
		}
		press(t, m, "O")
		if m.obView == nil {
			t.Fatal("O did not open the outbox")
		}
		s := screen(m)
		checkFrame(t, s, 100, 30)
		want := []string{"Outbox · 1 not sent yet", "failed", "nobody@client.com", "季度报告", "The server refused recipient nobody@client.com (550", "Press e to edit it as a draft"}
		if lang == i18n.ZH {
			want = []string{"发件箱 · 1 封待发", "失败", "服务器拒收收件人 nobody@client.com", "按 e 改为草稿"}
		}
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: the outbox lacks %q:\n%s", lang, w, s)
			}
		}
		press(t, m, "esc")
		if m.obView != nil {
			t.Fatal("esc did not close the outbox")
		}
	}
}

func TestOutboxEditBringsTheTextBackIntoTheComposer(t *testing.T) {
	f := newFixture(t)
	queueFailed(t, f)
	m := newTestModel(t, f, i18n.EN, 100, 30)
	m.autosave = -1
	press(t, m, "O", "e")
	if m.composing == nil {
		t.Fatalf("e did not open the composer:\n%s", screen(m))
	}
	s := screen(m)
	for _, w := range []string{"nobody@client.com", "boss@example.cn", "季度报告", "请查收附件。"} {
		if !strings.Contains(s, w) {
			t.Errorf("the composer lacks %q:\n%s", w, s)
		}
	}
	if strings.Count(s, "-- ") > 0 && m.composing.DraftID() == 0 {
		t.Error("a second signature was added")
	}
	ctx := context.Background()
	if left, _ := f.st.Outbox(ctx, 0); len(left) != 0 {
		t.Fatalf("the message is still in the outbox: %+v", left)
	}
	drafts, _ := f.st.Drafts(ctx, f.work)
	if len(drafts) != 1 || m.composing.DraftID() != drafts[0].ID {
		t.Fatalf("drafts %+v, composer on %d", drafts, m.composing.DraftID())
	}
}

func TestOutboxBackToDraftsAndReschedule(t *testing.T) {
	f := newFixture(t)
	id := queueFailed(t, f)
	m := newTestModel(t, f, i18n.EN, 100, 30)
	ctx := context.Background()
	press(t, m, "O", "t", "2", "0", "2", "4", "-", "0", "3", "-", "1", "6", " ", "0", "9", ":", "0", "0", "enter")
	o, err := f.st.OutgoingByID(ctx, id)
	must(t, err)
	if o.State != store.OutQueued || !o.NotBefore.Equal(time.Date(2024, 3, 16, 9, 0, 0, 0, time.UTC)) || o.Reason != "" {
		t.Fatalf("rescheduled: %+v", o)
	}
	if s := screen(m); !strings.Contains(s, "scheduled") || !strings.Contains(s, "It now leaves at 2024-03-16 09:00") {
		t.Fatalf("after rescheduling:\n%s", s)
	}
	press(t, m, "x")
	if left, _ := f.st.Outbox(ctx, 0); len(left) != 0 {
		t.Fatalf("still in the outbox: %+v", left)
	}
	if d, _ := f.st.Drafts(ctx, f.work); len(d) != 1 || !strings.Contains(string(d[0].Raw), "boss@example.cn") {
		t.Fatalf("drafts %+v", d)
	}
	if s := screen(m); !strings.Contains(s, "The outbox is empty") || !strings.Contains(s, "Back in Drafts") || strings.Contains(s, "outbox 1") {
		t.Fatalf("after x:\n%s", s)
	}
}

func TestBackgroundSendsAreSaidInTheStatusBar(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.EN, i18n.ZH} {
		f := newFixture(t)
		m := newTestModel(t, f, lang, 100, 30)
		m.obEvery = -1
		send(t, m, OutboxFlushedMsg{Reports: []outbox.Report{{Account: "work", Outcomes: []outbox.Outcome{{Subject: "周报"}}}}})
		s := screen(m)
		if want := map[i18n.Lang]string{i18n.EN: "✓ work: sent “周报”.", i18n.ZH: "✓ work：已发出「周报」。"}[lang]; !strings.Contains(s, want) {
			t.Errorf("%s: no %q in\n%s", lang, want, s)
		}
		send(t, m, OutboxFlushedMsg{Reports: []outbox.Report{{Account: "work", Outcomes: []outbox.Outcome{{Subject: "报价",
			Err: &outbox.RejectedError{Stage: "recipient", Recipients: []string{"x@y.cn"}, Code: 550, Text: "no such user"}}}}}})
		s = screen(m)
		want := map[i18n.Lang]string{i18n.EN: "work: “报价” was not sent: The server refused recipient x@y.cn", i18n.ZH: "work：「报价」没有发出：服务器拒收收件人 x@y.cn"}[lang]
		if !strings.Contains(s, want) {
			t.Errorf("%s: no %q in\n%s", lang, want, s)
		}
		// An unreachable server is said once, not at every flush.
		down := OutboxFlushedMsg{Reports: []outbox.Report{{Account: "work", ConnErr: errors.New("dial tcp: connection refused")}}}
		send(t, m, down)
		if !strings.Contains(m.status.Error(), "work") {
			t.Errorf("%s: unreachable not said: %q", lang, m.status.Error())
		}
		m.status.SetNotice("")
		send(t, m, down)
		if m.status.Error() != "" {
			t.Errorf("%s: said again: %q", lang, m.status.Error())
		}
	}
}

func TestSendWithoutADialerWaitsInTheOutbox(t *testing.T) {
	f := newFixture(t)
	m := newTestModel(t, f, i18n.EN, 100, 30)
	m.d.Config.Accounts[0].SMTP = account.Endpoint{Host: "127.0.0.1", Port: 1, Security: account.SecurityTLS}
	sender := m.d.Config.Senders()[0]
	send(t, m, composer.SendMsg{Request: composer.Request{Sender: sender,
		Message: message.Outgoing{From: message.Address{Addr: sender.Identity.Address}, To: []message.Address{{Addr: "wang@client.com"}},
			Subject: "离线", Text: "稍后发"}}})
	left, err := f.st.Outbox(context.Background(), f.work)
	if err != nil || len(left) != 1 || left[0].Subject != "离线" || left[0].State != store.OutQueued {
		t.Fatalf("outbox %+v %v", left, err)
	}
	if !strings.Contains(m.status.Error(), "waits in the outbox") {
		t.Fatalf("status %q", m.status.Error())
	}
}
