package mailsync

import (
	"context"
	"errors"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
)

// watchInbox holds IDLE (RFC 2177) on INBOX over its own connection and
// signals changed whenever the server reports new messages, expunges or
// flag changes. IDLE is ended and restarted every Options.IdleRestart,
// before servers drop idle clients (RFC 2177 §3: 30 minutes). It returns
// when ctx ends (nil) or the connection fails.
func (e *Engine) watchInbox(ctx context.Context, changed chan<- struct{}) error {
	signal := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	c, err := e.dialer.DialIMAP(ctx, e.acct, &account.IMAPOptions{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					signal()
				}
			},
			Expunge: func(uint32) { signal() },
			Fetch:   func(*imapclient.FetchMessageData) { signal() },
		},
	})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return err
	}
	// Something may have arrived between the main pass and this SELECT.
	signal()
	for {
		idle, err := c.Idle()
		if err != nil {
			return err
		}
		timer := time.NewTimer(e.opts.IdleRestart)
		select {
		case <-ctx.Done():
		case <-timer.C:
		case <-c.Closed():
		}
		timer.Stop()
		closeErr := idle.Close()
		waitErr := idle.Wait()
		if ctx.Err() != nil {
			return nil
		}
		if err := errors.Join(closeErr, waitErr); err != nil {
			return err
		}
		select {
		case <-c.Closed():
			return errors.New("mailsync: idle connection closed")
		default:
		}
	}
}
