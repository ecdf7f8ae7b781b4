package cli

import (
	"context"
	"fmt"
	"sync"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/store"
)

// runOutbox sends due outbox mail while `sync` (plain or --daemon) runs: on start,
// every outbox.DefaultInterval (scheduled mail), and when an account comes
// back online. After a send that queued a Sent copy the account's engine is
// kicked so the copy is uploaded at once. The returned func stops it and
// waits.
func (s *Session) runOutbox(ctx context.Context, st *store.Store, d *account.Dialer, accts []account.Account,
	kick <-chan string, engines map[string]*mailsync.Engine) func() {
	ctx, cancel := context.WithCancel(ctx)
	ob := &outbox.Outbox{Store: st, Dialer: d}
	var mu sync.Mutex // one report printed at a time
	var wg sync.WaitGroup
	wg.Go(func() {
		_ = ob.Run(ctx, accts, kick, 0, func(rep outbox.Report) {
			mu.Lock()
			defer mu.Unlock()
			s.printOutbox(rep)
			for _, o := range rep.Outcomes {
				if o.SentCopy {
					if e := engines[rep.Account]; e != nil {
						e.Kick()
					}
				}
			}
		})
	})
	return func() {
		cancel()
		wg.Wait()
	}
}

// flushOutboxOnce sends the accounts' due outbox mail once (`sync --once`)
// and prints what happened.
func (s *Session) flushOutboxOnce(ctx context.Context, st *store.Store, d *account.Dialer, accts []account.Account) {
	ob := &outbox.Outbox{Store: st, Dialer: d}
	for _, a := range accts {
		rep, err := ob.Flush(ctx, a)
		if err != nil && rep.ConnErr == nil {
			rep.ConnErr = err
		}
		s.printOutbox(rep)
	}
}

func (s *Session) printOutbox(rep outbox.Report) {
	p := s.P
	for _, o := range rep.Outcomes {
		subj := message.SanitizeLine(o.Subject)
		if o.Err == nil {
			fmt.Fprintln(s.Stdout, p.T("outbox.sent", rep.Account, subj))
			continue
		}
		fmt.Fprintln(s.Stderr, p.T("outbox.failed", rep.Account, subj, explainSendError(p, o.Err)))
	}
	if rep.ConnErr != nil {
		fmt.Fprintln(s.Stderr, p.T("outbox.unreachable", rep.Account))
	}
}
