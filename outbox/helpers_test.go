package outbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// world is a member with an alias, a business mailbox, and two outside
// recipients, on the test Dovecot behind the test Postfix.
type world struct {
	t                *testing.T
	pf               *testenv.PostfixServer
	member, business testenv.User
	rcpt, bcc        testenv.User
	memberAcct       account.Account
	businessAcct     account.Account
	cfg              *account.Config
	secrets          *account.MemorySecrets
	dialer           *account.Dialer
	st               *store.Store
	ob               *Outbox
}

func newWorld(t *testing.T) *world {
	t.Helper()
	pf := testenv.Postfix(t)
	d := pf.Dovecot
	w := &world{t: t, pf: pf, member: d.NewUser(t), business: d.NewUser(t), rcpt: d.NewUser(t), bcc: d.NewUser(t),
		secrets: &account.MemorySecrets{}}
	imapEP, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		t.Fatal(err)
	}
	smtpEP, err := account.ParseEndpoint(pf.SubmissionAddr(), account.SecuritySTARTTLS)
	if err != nil {
		t.Fatal(err)
	}
	alias := "ming-" + strings.Split(w.member.Email, "@")[0] + "@" + testenv.TestDomain
	w.memberAcct = account.Account{Name: "work", Email: w.member.Email, DisplayName: "陈明", Kind: account.KindMember,
		IMAP: imapEP, SMTP: smtpEP, CAFile: d.CAFile,
		SignatureNew: "陈明\n示例公司", SignatureReply: "陈明（回复）",
		Aliases: []account.Identity{{Address: alias, Name: "明", Kind: account.IdentityAlias, SignatureNew: "明 · 别名签名"}}}
	w.businessAcct = account.Account{Name: "sales", Email: w.business.Email, DisplayName: "销售部", Kind: account.KindBusiness,
		IMAP: imapEP, SMTP: smtpEP, CAFile: d.CAFile, SignatureNew: "销售部 · 示例公司"}
	w.cfg = &account.Config{Accounts: []account.Account{w.memberAcct, w.businessAcct}}
	ctx := context.Background()
	_ = w.secrets.Set(ctx, "work", w.member.Password)
	_ = w.secrets.Set(ctx, "sales", w.business.Password)
	w.dialer = &account.Dialer{Secrets: w.secrets, Timeout: 10 * time.Second}
	w.st, err = store.Open(ctx, filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.st.Close() })
	w.ob = &Outbox{Store: w.st, Dialer: w.dialer, DetectWait: 200 * time.Millisecond}
	return w
}

// fetch returns the raw message with msgID from user's mailbox, waiting
// for delivery.
func (w *world) fetch(u testenv.User, mailbox, msgID string) []byte {
	w.t.Helper()
	w.pf.WaitMessage(w.t, u.Name, mailbox, msgID)
	ctx := context.Background()
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(ctx, "peer", u.Password)
	a := account.Account{Name: "peer", Email: u.Email, IMAP: w.memberAcct.IMAP, CAFile: w.memberAcct.CAFile}
	c, err := (&account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}).DialIMAP(ctx, a, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Select(mailbox, nil).Wait(); err != nil {
		w.t.Fatal(err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: msgID}}}, nil).Wait()
	if err != nil || len(data.AllUIDs()) != 1 {
		w.t.Fatalf("search %s in %s: %v %v", msgID, mailbox, data, err)
	}
	msgs, err := c.Fetch(imap.UIDSetNum(data.AllUIDs()[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != 1 {
		w.t.Fatalf("fetch: %v", err)
	}
	for _, b := range msgs[0].BodySection {
		return b.Bytes
	}
	w.t.Fatal("no body")
	return nil
}

// count returns how many messages with msgID user's mailbox holds.
func (w *world) count(u testenv.User, mailbox, msgID string) int {
	w.t.Helper()
	out := w.pf.Dovecot.Doveadm(w.t, "search", "-u", u.Name, "mailbox", mailbox, "header", "Message-ID", strings.Trim(msgID, "<>"))
	return len(strings.Fields(out)) / 2 // "<mailbox-guid> <uid>" per message
}
