package cli

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/ui/i18n"
)

type sendFlags struct {
	account, from, subject, at string
	to, cc, bcc, attach        []string
	noSignature                bool
}

func newSendCmd(s *Session) *cobra.Command {
	var f sendFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "send",
		Short:   p.T("cli.send.short"),
		Long:    p.T("cli.send.long"),
		Example: p.T("cli.send.example"),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.send(cmd, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.account, "account", "", p.T("cli.flag.send_account"))
	fl.StringVar(&f.from, "from", "", p.T("cli.flag.send_from"))
	fl.StringArrayVar(&f.to, "to", nil, p.T("cli.flag.send_to"))
	fl.StringArrayVar(&f.cc, "cc", nil, p.T("cli.flag.send_cc"))
	fl.StringArrayVar(&f.bcc, "bcc", nil, p.T("cli.flag.send_bcc"))
	fl.StringVar(&f.subject, "subject", "", p.T("cli.flag.send_subject"))
	fl.StringArrayVar(&f.attach, "attach", nil, p.T("cli.flag.send_attach"))
	fl.StringVar(&f.at, "at", "", p.T("cli.flag.send_at"))
	fl.BoolVar(&f.noSignature, "no-signature", false, p.T("cli.flag.send_no_signature"))
	return cmd
}

// send builds the message, queues it and, unless scheduled, flushes the
// account's outbox at once.
func (s *Session) send(cmd *cobra.Command, f sendFlags) error {
	ctx := cmd.Context()
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	sender, err := s.pickSender(cfg, f)
	if err != nil {
		return err
	}
	m := &message.Outgoing{From: message.Address{Name: sender.Name(), Addr: sender.Identity.Address}, Subject: f.subject}
	for _, list := range []struct {
		flag string
		in   []string
		out  *[]message.Address
	}{{"--to", f.to, &m.To}, {"--cc", f.cc, &m.Cc}, {"--bcc", f.bcc, &m.Bcc}} {
		if *list.out, err = parseRecipients(list.in); err != nil {
			return usage("%s: %v", list.flag, err)
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return usage("--to: at least one recipient is required")
	}
	at, err := outbox.ParseWhen(f.at, time.Now())
	if err != nil {
		return usage("--at %q: %v", f.at, err)
	}
	body, err := io.ReadAll(io.LimitReader(s.Stdin, 64<<20))
	if err != nil {
		return s.fail(err, p.T("send.stdin_failed", err))
	}
	m.Text = decodeLocalText(body)
	if !f.noSignature {
		m.Signature = sender.Signature(false)
	}
	for _, path := range f.attach {
		part, err := readAttachment(path)
		if err != nil {
			return s.fail(err, p.T("send.attach_failed", path, message.SanitizeLine(err.Error())))
		}
		m.Attachments = append(m.Attachments, part)
	}
	st, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()
	ob := &outbox.Outbox{Store: st, Dialer: d}
	id, err := ob.Queue(ctx, sender.Account, m, at)
	if err != nil {
		if errors.Is(err, outbox.ErrNoSMTP) {
			return s.fail(err, p.T("send.no_smtp", sender.Account.Name))
		}
		return s.fail(err, p.T("send.queue_failed", message.SanitizeLine(err.Error())))
	}
	if o, err := st.OutgoingByID(ctx, id); err == nil {
		if err := outbox.CheckSize(sender.Account, int64(len(o.Raw))); err != nil {
			fmt.Fprintln(s.Stderr, explainSendError(p, err))
		}
	}
	if !at.IsZero() && at.After(time.Now()) {
		fmt.Fprintln(s.Stdout, p.T("send.scheduled", at.Format("2006-01-02 15:04"), sender.Identity.Address))
		return nil
	}
	rep, err := ob.Flush(ctx, sender.Account)
	if err != nil {
		return s.fail(err, p.T("send.queue_failed", message.SanitizeLine(err.Error())))
	}
	for _, o := range rep.Outcomes {
		if o.ID != id {
			continue
		}
		if o.Err != nil {
			return s.fail(o.Err, explainSendError(p, o.Err)+"\n"+p.T("send.kept_failed"))
		}
		fmt.Fprintln(s.Stdout, p.T("send.sent", sender.Identity.Address, strings.Join(m.Recipients(), ", ")))
		if o.SentCopy {
			// Online, so the copy goes up now rather than at the next sync
			// (it is queued already: a failure here only delays it).
			if err := mailsync.New(sender.Account, d, st, mailsync.Options{}).ReplayOps(ctx); err != nil {
				fmt.Fprintln(s.Stdout, p.T("send.copy_queued"))
			} else {
				fmt.Fprintln(s.Stdout, p.T("send.copy_filed"))
			}
		}
		return nil
	}
	if rep.ConnErr != nil {
		msg := explainSyncError(p, sender.Account, rep.ConnErr)
		return s.fail(rep.ConnErr, p.T("send.offline")+"\n"+msg)
	}
	// Another Magpie (the app or the daemon) took it first.
	fmt.Fprintln(s.Stdout, p.T("send.taken"))
	return nil
}

// pickSender finds the identity to send as: --from among --account's (or
// every account's) identities, else --account's primary address, else the
// only account's.
func (s *Session) pickSender(cfg *account.Config, f sendFlags) (account.Sender, error) {
	p := s.P
	if f.account != "" {
		if _, ok := cfg.Account(f.account); !ok {
			return account.Sender{}, s.fail(account.ErrNotFound, p.T("account.not_found", f.account))
		}
	}
	if f.from != "" {
		addr := f.from
		if a, err := mail.ParseAddress(f.from); err == nil {
			addr = a.Address
		}
		if snd, ok := cfg.Sender(f.account, addr); ok {
			return snd, nil
		}
		return account.Sender{}, s.fail(account.ErrNotFound, p.T("send.unknown_from", addr))
	}
	name := f.account
	if name == "" {
		if len(cfg.Accounts) != 1 {
			return account.Sender{}, usage("--account or --from is required when there is not exactly one account")
		}
		name = cfg.Accounts[0].Name
	}
	a, _ := cfg.Account(name)
	return account.Sender{Account: a, Identity: a.Identities()[0]}, nil
}

// parseRecipients parses repeated, comma-separated address lists
// ("王芳 <wang@example.com>, li@example.com").
func parseRecipients(in []string) ([]message.Address, error) {
	var out []message.Address
	for _, v := range in {
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := mail.ParseAddressList(v)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", v, err)
		}
		for _, a := range list {
			out = append(out, message.Address{Name: a.Name, Addr: a.Address})
		}
	}
	return out, nil
}

// decodeLocalText returns UTF-8 text as is and decodes anything else as
// GB18030 (the encoding of Chinese Windows text files).
func decodeLocalText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b); err == nil {
		return string(out)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// maxAttachFile bounds one attached file (the largest provider limit is
// far below).
const maxAttachFile = 200 << 20

func readAttachment(path string) (message.Part, error) {
	f, err := os.Open(path)
	if err != nil {
		return message.Part{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return message.Part{}, err
	}
	if info.IsDir() {
		return message.Part{}, errors.New("is a directory")
	}
	if info.Size() > maxAttachFile {
		return message.Part{}, fmt.Errorf("larger than %s", humanize.IBytes(maxAttachFile))
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return message.Part{}, err
	}
	name := decodeLocalText([]byte(filepath.Base(path)))
	ctype := mime.TypeByExtension(strings.ToLower(filepath.Ext(name)))
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	return message.Part{Filename: name, ContentType: ctype, Data: data}, nil
}

// explainSendError words a send failure for people.
func explainSendError(p *i18n.Printer, err error) string {
	var tl *outbox.TooLargeError
	var re *outbox.RejectedError
	switch {
	case errors.As(err, &tl) && tl.Provider:
		return p.T("send.err_provider_limit", humanize.IBytes(uint64(tl.Size)), humanize.IBytes(uint64(tl.Limit)))
	case errors.As(err, &tl):
		return p.T("send.err_too_large", humanize.IBytes(uint64(tl.Size)), humanize.IBytes(uint64(tl.Limit)))
	case errors.As(err, &re) && re.Stage == "recipient":
		return p.T("send.err_recipient", strings.Join(re.Recipients, ", "), re.Code, message.SanitizeLine(re.Text))
	case errors.As(err, &re) && re.Stage == "sender":
		return p.T("send.err_sender", re.Code, message.SanitizeLine(re.Text))
	case errors.As(err, &re):
		return p.T("send.err_content", re.Code, message.SanitizeLine(re.Text))
	}
	return p.T("send.err_other", message.SanitizeLine(err.Error()))
}
