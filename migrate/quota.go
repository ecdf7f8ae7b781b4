package migrate

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Quota is the destination's quota on INBOX's quota root as GETQUOTAROOT
// reports it (RFC 9208 §4.3.2, RFC 2087 §4.3), next to what the plan
// would add.
type Quota struct {
	Root string
	// StorageUsed and StorageLimit are in bytes (the server counts in
	// units of 1024 octets, RFC 9208 §5.1); a limit of 0 means none.
	StorageUsed, StorageLimit int64
	// MessagesUsed and MessagesLimit count messages; 0 means no limit.
	MessagesUsed, MessagesLimit int64
	// NeedBytes and NeedMessages are what the plan still has to copy
	// (Plan.PendingSize, Plan.PendingCount).
	NeedBytes    int64
	NeedMessages int
}

// Fits reports whether what is still to copy fits in what is left.
func (q Quota) Fits() bool {
	if q.StorageLimit > 0 && q.StorageUsed+q.NeedBytes > q.StorageLimit {
		return false
	}
	if q.MessagesLimit > 0 && q.MessagesUsed+int64(q.NeedMessages) > q.MessagesLimit {
		return false
	}
	return true
}

// destQuota asks the destination for INBOX's quota when it offers QUOTA;
// nil means the server tells nothing (no QUOTA, no root, no limit).
// Servers that announce QUOTA but fail the command are not an error: the
// check is advice, the APPENDs will say [OVERQUOTA] anyway.
func destQuota(c *imapclient.Client) *Quota {
	if !c.Caps().Has(imap.CapQuota) {
		return nil
	}
	roots, err := c.GetQuotaRoot("INBOX").Wait()
	if err != nil || len(roots) == 0 {
		return nil
	}
	q := &Quota{Root: roots[0].Root}
	limited := false
	for typ, r := range roots[0].Resources {
		switch typ {
		case imap.QuotaResourceStorage:
			q.StorageUsed, q.StorageLimit = r.Usage*1024, r.Limit*1024
			limited = limited || r.Limit > 0
		case imap.QuotaResourceMessage:
			q.MessagesUsed, q.MessagesLimit = r.Usage, r.Limit
			limited = limited || r.Limit > 0
		}
	}
	if !limited {
		return nil
	}
	return q
}

// scanFolder lists f, which EXAMINE described as v, window by window
// (see window.go) and counts its messages and bytes in scope and, from
// the journal j when there is one (nil: none), those earlier runs have
// not settled: f's pending figures. sc keeps the first window.
//
// A folder no run copied yet is not listed when the source tells its
// size (STATUS SIZE, RFC 8438) and no --since applies: everything in it
// is pending, and Run lists it once, as it copies it. Otherwise sc keeps
// the first window while *keep, the plan's budget of messages kept for
// Run, lasts: what a plan holds is bounded whatever the mailbox.
func scanFolder(ctx context.Context, src source, j *Journal, f *FolderPlan, v folderView, opts Options, sc *folderScan, keep *int) error {
	if s, ok := src.(*imapSource); ok && opts.Since.IsZero() && v.Messages > 0 {
		copied := false
		if j != nil {
			var err error
			if copied, err = j.hasFolder(ctx, f.Source, v.UIDValidity); err != nil {
				return fmt.Errorf("migrate: plan: %w", err)
			}
		}
		if n, size, ok := s.size(ctx, f.Source); ok && !copied && n == v.Messages {
			f.Messages, f.Size, f.Pending, f.PendingSize = int(n), size, int(n), size
			return nil
		}
	}
	l := newFolderList(v, opts.window())
	for first := true; first || !l.done; first = false {
		lo, hi := l.next, imap.UID(0)
		if l.span > 0 {
			hi = min(l.last, lo+l.span-1)
		}
		// What the journal has as settled is listed by UID alone (see
		// listRange): a re-run's plan costs next to nothing.
		var entries map[imap.UID]Entry
		settled := map[imap.UID]int64{}
		if j != nil {
			var err error
			if entries, err = j.FolderRange(ctx, f.Source, v.UIDValidity, lo, hi); err != nil {
				return fmt.Errorf("migrate: plan: %w", err)
			}
			for _, e := range entries {
				if e.Outcome.done() && e.DstFolder == f.Dest {
					settled[e.SrcUID] = e.Size
				}
			}
		}
		var msgs []srcMsg
		if !l.done {
			var err error
			if msgs, err = src.list(ctx, f.Source, lo-1, hi, opts.Since, settled); err != nil {
				return err
			}
		}
		if first && len(msgs) <= *keep {
			sc.msgs, sc.upto, sc.listed = msgs, hi, true
			*keep -= len(msgs)
		}
		if hi == 0 || hi >= l.last {
			l.done = true
		} else {
			l.next = hi + 1
		}
		for _, m := range msgs {
			f.Messages++
			f.Size += m.Size
			if e, ok := entries[m.UID]; ok && e.Outcome.done() && e.DstFolder == f.Dest {
				continue
			}
			f.Pending++
			f.PendingSize += m.Size
		}
	}
	return nil
}

// folderScan is one source folder as NewPlan listed it.
type folderScan struct {
	unchanged   bool         // proven unchanged since verified: not listed
	state       *folderState // what proved it, when unchanged
	uidValidity uint32
	msgs        []srcMsg // the first window: UIDs up to upto (0: all)
	upto        imap.UID
	listed      bool // msgs is the first window (else none was kept)
	at          time.Time

	mu    sync.Mutex
	taken bool // a Run took msgs (see take)
}

// take hands the listing over to the Run preparing the folder, once: the
// plan, which its caller keeps, holds it no longer, so that a folder's
// listing is freed when the Run is done with the folder. ok is false for
// a scan without a listing (nil, unchanged, or taken already: a Plan
// run again lists again).
func (sc *folderScan) take() (msgs []srcMsg, upto imap.UID, ok bool) {
	if sc == nil || sc.unchanged || !sc.listed {
		return nil, 0, false
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.taken {
		return nil, 0, false
	}
	msgs, sc.msgs, sc.taken = sc.msgs, nil, true
	return msgs, sc.upto, true
}
