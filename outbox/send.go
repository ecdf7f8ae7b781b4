package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// Outcome is what happened to one message in a flush.
type Outcome struct {
	ID       store.OutboxID
	MsgID    string
	Subject  string
	Err      error // nil: sent; otherwise why (the message is kept)
	Kept     bool  // Err != nil and the message stays queued for a retry
	SentCopy bool  // Magpie queued the Sent copy (false: the server files it, or not sent)
}

// Report is the result of one flush of an account's outbox.
type Report struct {
	Account  string
	Outcomes []Outcome
	// ConnErr is set when the SMTP server could not be reached or refused
	// the login: due messages stay queued (offline send) and leave at the
	// next flush.
	ConnErr error
}

// Sent counts the messages that left.
func (r Report) Sent() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Err == nil {
			n++
		}
	}
	return n
}

// staleAfter is how long an attempt may stay claimed before it is taken as
// interrupted (the process died mid-send).
const staleAfter = 15 * time.Minute

// bookkeeping bounds what is done after an SMTP transaction (filing the
// Sent copy, recording the outcome), which runs even when ctx has ended.
const bookkeeping = 30 * time.Second

// ReasonInterrupted is the stored reason of an attempt a dead process left.
const ReasonInterrupted = "interrupted while sending: it may or may not have left"

// Flush sends the account's due messages over one SMTP connection, in
// order. It blocks until done or ctx ends. A message another process has
// claimed is skipped. Connection and login failures leave every message
// queued and are returned in Report.ConnErr (a *account.ConnError).
func (o *Outbox) Flush(ctx context.Context, a account.Account) (Report, error) {
	rep := Report{Account: a.Name}
	acct, err := o.Store.Account(ctx, a.Name)
	if err != nil {
		return rep, err
	}
	if _, err := o.Store.AbandonStale(ctx, o.now().Add(-staleAfter), ReasonInterrupted); err != nil {
		return rep, err
	}
	due, err := o.Store.DueOutgoing(ctx, acct, o.now())
	if err != nil || len(due) == 0 {
		return rep, err
	}
	if a.SMTP.IsZero() {
		rep.ConnErr = ErrNoSMTP
		return rep, nil
	}
	c, err := o.Dialer.DialSMTP(ctx, a)
	if err != nil {
		rep.ConnErr = err
		return rep, nil
	}
	defer c.Close()
	for _, m := range due {
		if err := o.Store.ClaimOutgoing(ctx, m.ID); err != nil {
			if errors.Is(err, store.ErrClaimed) {
				continue
			}
			return rep, err
		}
		out := Outcome{ID: m.ID, MsgID: m.MsgID, Subject: m.Subject}
		sendErr := transact(c, m)
		// Once claimed, the outcome is recorded even if ctx ends now: a
		// message must never stay claimed, nor a sent one look unsent.
		keep, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeeping)
		if sendErr == nil {
			copyOp, err := o.sentCopy(keep, a, acct, m)
			if err != nil {
				// The mail left; only filing the copy failed. Never resend.
				copyOp = nil
			}
			err = o.Store.MarkSent(keep, m.ID, copyOp)
			cancel()
			if err != nil {
				return rep, err
			}
			out.SentCopy = copyOp != nil
			rep.Outcomes = append(rep.Outcomes, out)
			continue
		}
		permanent := isPermanent(sendErr)
		out.Err, out.Kept = sendErr, !permanent
		err := o.Store.ReleaseOutgoing(keep, m.ID, reasonOf(sendErr), permanent)
		cancel()
		if err != nil {
			return rep, err
		}
		rep.Outcomes = append(rep.Outcomes, out)
		if !permanent && !isSMTPReply(sendErr) {
			// The connection broke: the rest wait for the next flush.
			rep.ConnErr = sendErr
			return rep, nil
		}
		if err := c.Reset(); err != nil {
			rep.ConnErr = err
			return rep, nil
		}
	}
	_ = c.Quit()
	return rep, nil
}

// transact runs one SMTP mail transaction (RFC 5321 §3.3): MAIL with SIZE
// (RFC 1870) and, for non-ASCII addresses, SMTPUTF8 (RFC 6531); every RCPT
// (all must be accepted: a partial delivery is not sent); DATA.
func transact(c *smtp.Client, m store.Outgoing) error {
	size := int64(len(m.Raw))
	if limit, ok := c.MaxMessageSize(); ok && limit > 0 && size > int64(limit) {
		return &TooLargeError{Size: size, Limit: int64(limit)}
	}
	opts := &smtp.MailOptions{Size: size, Body: smtp.Body8BitMIME}
	if ok, _ := c.Extension("8BITMIME"); !ok {
		opts.Body = ""
	}
	if !ascii(m.From) || !allASCII(m.Rcpts) {
		if ok, _ := c.Extension("SMTPUTF8"); ok {
			opts.UTF8 = true
		}
	}
	if err := c.Mail(m.From, opts); err != nil {
		return replyError("sender", nil, err)
	}
	var refused []string
	var first error
	for _, r := range m.Rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			if !isSMTPReply(err) {
				return err
			}
			refused = append(refused, r)
			if first == nil {
				first = err
			}
		}
	}
	if first != nil {
		return replyError("recipient", refused, first)
	}
	w, err := c.Data()
	if err != nil {
		return replyError("data", nil, err)
	}
	if _, err := w.Write(m.Raw); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return replyError("data", nil, err)
	}
	return nil
}

// replyError turns a 5xx reply into a *RejectedError (552 on size into a
// *TooLargeError); anything else is returned as is.
func replyError(stage string, rcpts []string, err error) error {
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code < 500 {
		return err
	}
	return &RejectedError{Stage: stage, Recipients: rcpts, Code: se.Code, Text: se.Message}
}

func isSMTPReply(err error) bool {
	var se *smtp.SMTPError
	var re *RejectedError
	return errors.As(err, &se) || errors.As(err, &re)
}

// isPermanent reports whether retrying the same message cannot help.
func isPermanent(err error) bool {
	var re *RejectedError
	var tl *TooLargeError
	return errors.As(err, &re) || errors.As(err, &tl)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func allASCII(list []string) bool {
	for _, s := range list {
		if !ascii(s) {
			return false
		}
	}
	return true
}
