package outbox

import (
	"context"
	"testing"

	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

func TestDraftUploadReplacesAndReopens(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.memberAcct
	sync := func() {
		t.Helper()
		if sum, err := mailsync.New(a, w.dialer, w.st, mailsync.Options{}).SyncOnce(ctx); err != nil || sum.Err != nil {
			t.Fatalf("sync: %v %v", err, sum.Err)
		}
	}
	m := &message.Outgoing{From: message.Address{Name: "陈明", Addr: a.Email}, To: []message.Address{{Addr: w.rcpt.Email}},
		Bcc: []message.Address{{Addr: w.bcc.Email}}, Subject: "草稿：计划", Text: "第一版"}
	id, err := w.ob.SaveDraft(ctx, a, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.ob.UploadDraft(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	sync()
	m.Text = "第二版，写得更多"
	if _, err := w.ob.SaveDraft(ctx, a, id, m); err != nil {
		t.Fatal(err)
	}
	if err := w.ob.UploadDraft(ctx, a, id); err != nil {
		t.Fatal(err)
	}
	sync()
	sync() // the expunge of the first copy waits for its UID, learnt on the first replay
	if n := w.pf.Dovecot.MessageCount(t, w.member.Name, "Drafts"); n != 1 {
		t.Fatalf("server Drafts holds %d messages, want 1 (replaced, not piled up)", n)
	}
	// Reopened from the Drafts folder as synced into the store.
	acct, _ := w.st.Account(ctx, a.Name)
	folders, _ := w.st.Folders(ctx, acct)
	var drafts store.Folder
	for _, f := range folders {
		if f.Role == "drafts" {
			drafts = f
		}
	}
	page, err := w.st.Page(ctx, drafts.ID, store.PageRequest{Limit: 10})
	if err != nil || len(page) != 1 {
		t.Fatalf("store Drafts %+v %v", page, err)
	}
	raw, err := w.st.Raw(ctx, page[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	back, err := message.Reopen(raw)
	if err != nil {
		t.Fatal(err)
	}
	if back.Text != "第二版，写得更多" || back.Subject != "草稿：计划" || len(back.Bcc) != 1 || back.Bcc[0].Addr != w.bcc.Email {
		t.Fatalf("reopened %+v", back)
	}
	// Sending it discards the draft here and on the server.
	if err := w.ob.DiscardDraft(ctx, id); err != nil {
		t.Fatal(err)
	}
	sync()
	if n := w.pf.Dovecot.MessageCount(t, w.member.Name, "Drafts"); n != 0 {
		t.Fatalf("server Drafts holds %d after discard", n)
	}
}
