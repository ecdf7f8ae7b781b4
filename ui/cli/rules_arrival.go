package cli

import (
	"context"
	"sync"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/outbox"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
)

// rulesRunHere reports whether a's rules may run on this computer: it has
// no ManageSieve (sieve = "none", a provider preset without one), or only a
// guessed one, which may not answer (the rules were then saved locally;
// when it does answer, the local set is empty and watching costs a scan of
// INBOX's UIDs per pass).
func rulesRunHere(a account.Account) bool {
	_, discovered, ok := a.SieveEndpoint()
	return !ok || discovered
}

// newRulesEngine makes a's sync engine and the function that runs it (its
// Run). When a's rules run here, the engine's events pass through
// rules.WatchArrivals (started on wg), which files new INBOX mail by the
// rules, forwards it through the outbox and kicks the engine; the events then reach opts.Events as before.
// The watcher ends when run returns.
func newRulesEngine(ctx context.Context, a account.Account, d *account.Dialer, st *store.Store, opts mailsync.Options, wg *sync.WaitGroup) (*mailsync.Engine, func(context.Context) error) {
	if !rulesRunHere(a) || opts.Events == nil {
		e := mailsync.New(a, d, st, opts)
		return e, e.Run
	}
	out := opts.Events
	in := make(chan mailsync.Event, 64)
	opts.Events = in
	e := mailsync.New(a, d, st, opts)
	var fwd rules.Forwarder
	if !a.SMTP.IsZero() {
		// Forward actions leave through the outbox (also while no other
		// sender runs: WatchArrivals flushes it when it queued some).
		fwd = rules.OutboxForwarder{Outbox: &outbox.Outbox{Store: st, Dialer: d}, Account: a}
	}
	wg.Go(func() { rules.WatchArrivals(ctx, st, a.Name, e, fwd, in, out) })
	return e, func(ctx context.Context) error {
		defer close(in) // the engine emits nothing once Run has returned
		return e.Run(ctx)
	}
}

// arrivalApplied prints what the rules did to new mail (sync's printer).
func (pr *syncPrinter) arrivalApplied(ev rules.ArrivalApplied) {
	p := pr.p
	if ev.Err != nil {
		pr.println(pr.errOut, p.T("rules.arrival.failed", ev.Account, message.SanitizeLine(ev.Err.Error())))
		return
	}
	if r := ev.Applied; r.Matched > 0 {
		pr.println(pr.out, p.T("rules.arrival.done", ev.Account, r.Matched, r.Moved, r.Copied, r.Flagged))
	}
	if r := ev.Applied; r.Forwarded > 0 {
		pr.println(pr.out, p.T("rules.arrival.forwarded", ev.Account, r.Forwarded))
	}
}
