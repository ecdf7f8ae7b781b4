package outbox

import (
	"context"
	"time"

	"github.com/magpie-mail/magpie/account"
)

// DefaultInterval is how often Run looks for due messages.
const DefaultInterval = 15 * time.Second

// Run flushes the accounts' outboxes until ctx ends: every interval (0:
// DefaultInterval), so scheduled mail leaves on time, and at once when an
// account name arrives on kick (it came back online, or the member just
// queued a message). Reports of flushes that did something go to report,
// which must not block for long. Run blocks; it returns ctx's error.
func (o *Outbox) Run(ctx context.Context, accounts []account.Account, kick <-chan string, interval time.Duration, report func(Report)) error {
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	flush := func(a account.Account) {
		rep, err := o.Flush(ctx, a)
		if err != nil && rep.ConnErr == nil {
			rep.ConnErr = err
		}
		if report != nil && (len(rep.Outcomes) > 0 || rep.ConnErr != nil) {
			report(rep)
		}
	}
	for _, a := range accounts {
		flush(a)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			for _, a := range accounts {
				flush(a)
			}
		case name := <-kick:
			for _, a := range accounts {
				if a.Name == name {
					flush(a)
				}
			}
		}
	}
}
