package mailsync

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// syncFolder brings one folder of the store in step with the server:
//
//  1. EXAMINE (RFC 3501 §6.3.2; read-only, so syncing never changes \Recent
//     or anything else), with CONDSTORE (RFC 7162 §3.1.8) where offered.
//  2. A changed UIDVALIDITY (§2.3.1.1) resets the folder; bodies are relinked
//     by Message-ID and size, never downloaded again.
//  3. Flags: with CONDSTORE only what changed since HIGHESTMODSEQ
//     (CHANGEDSINCE); otherwise one UID FETCH 1:* (FLAGS), which also gives
//     the server's UID set.
//  4. The UID sets are compared when counts disagree (UID SEARCH ALL, a
//     single key, which every quirky server accepts): missing headers are
//     fetched newest first in ascending-range batches (never a descending
//     range: Exmail rejects them), vanished UIDs deleted.
//
// A folder the store holds nothing of lists its UIDs with UID SEARCH ALL
// instead: the header FETCH brings the flags, so step 3 would fetch them
// twice.
//
// Pending offline operations must have been replayed before, since the
// server's flags overwrite the local ones here. hooks, when set, hear how
// many headers the folder lacks and when each batch of them is stored.
func (e *Engine) syncFolder(ctx context.Context, c *account.IMAPClient, f store.Folder, hooks *headerHooks) (FolderSummary, error) {
	sum := FolderSummary{Folder: f.Name, Role: f.Role, id: f.ID}
	caps := c.Caps()
	condstore := caps.Has(imap.CapCondStore)
	sel, err := c.Select(f.RawName, &imap.SelectOptions{ReadOnly: true, CondStore: condstore}).Wait()
	if err != nil {
		return sum, fmt.Errorf("mailsync: examine %q: %w", f.Name, err)
	}
	if sel.HighestModSeq == 0 {
		condstore = false // the mailbox does not keep mod-sequences (NOMODSEQ)
	}
	if f.UIDValidity != 0 && f.UIDValidity != sel.UIDValidity {
		if err := e.st.ResetFolder(ctx, f.ID, sel.UIDValidity); err != nil {
			return sum, err
		}
		f.UIDNext, f.HighestModSeq, sum.Reset = 0, 0, true
	}
	if unchanged, err := e.unchanged(ctx, f, sel, condstore && !sum.Reset); err != nil || unchanged {
		sum.Total = int(sel.NumMessages)
		return sum, err
	}
	local, err := e.localUIDs(ctx, f.ID)
	if err != nil {
		return sum, err
	}

	// The server's UIDs and the missing ones are plain sorted slices, one
	// UID each (not maps, nor the whole folder's flags at once): a cold
	// sync of a 20,000-message INBOX held several MB here otherwise.
	var server []store.UID // sorted; nil until known
	var missing []store.UID
	if sel.NumMessages > 0 {
		if condstore && f.HighestModSeq > 0 && f.UIDNext > 0 {
			n, newUIDs, err := e.pullChangedFlags(ctx, c, f, local)
			if err != nil {
				return sum, err
			}
			sum.Updated = n
			missing = newUIDs
		} else if len(local) == 0 {
			if server, err = e.serverUIDs(c, caps); err != nil {
				return sum, err
			}
			missing = server // the same sorted UIDs: nothing below writes server
		} else {
			server = make([]store.UID, 0, sel.NumMessages)
			var changed []store.UIDFlags
			err := e.eachFlags(ctx, c, f, func(u store.UIDFlags) {
				server = append(server, u.UID)
				if old, ok := local[u.UID]; !ok {
					missing = append(missing, u.UID)
				} else if !sameFlags(old, u) {
					changed = append(changed, u)
				}
			})
			if err != nil {
				return sum, err
			}
			slices.Sort(server)
			if err := e.st.SetFlags(ctx, f.ID, changed); err != nil {
				return sum, err
			}
			sum.Updated = len(changed)
		}
	}
	if server == nil && len(local)+len(missing) != int(sel.NumMessages) {
		if server, err = e.serverUIDs(c, caps); err != nil {
			return sum, err
		}
		for _, u := range server {
			if _, ok := local[u]; !ok {
				missing = append(missing, u)
			}
		}
	}
	if server != nil {
		var gone []store.UID
		for u := range local {
			if _, ok := slices.BinarySearch(server, u); !ok {
				gone = append(gone, u)
			}
		}
		if err := e.st.DeleteUIDs(ctx, f.ID, gone); err != nil {
			return sum, err
		}
		sum.Expunged = len(gone)
	}
	server = nil
	slices.Sort(missing)
	sorted := slices.Compact(missing) // CHANGEDSINCE's new UIDs and SEARCH's may overlap
	var stored func(lo, hi store.UID)
	if hooks != nil {
		hooks.missing(len(sorted))
		stored = hooks.stored
	}
	if sum.New, err = e.fetchHeaders(ctx, c, f, sorted, condstore, stored); err != nil {
		return sum, err
	}
	state := e.synced(f, sel)
	sum.Total = state.Total
	return sum, e.st.SetFolderState(ctx, f.ID, state)
}

// unchanged reports whether a folder is proven as the store holds it
// without reading its UIDs, and then records the check: with CONDSTORE
// (RFC 7162 §3.1), every flag change raises HIGHESTMODSEQ, an unchanged
// UIDNEXT (RFC 3501 §2.3.1.1) means nothing was added, and so the same
// number of messages means nothing was expunged either. Cheap, so a no-op
// pass over a big folder does not walk it.
func (e *Engine) unchanged(ctx context.Context, f store.Folder, sel *imap.SelectData, condstore bool) (bool, error) {
	if !condstore || f.HighestModSeq == 0 || f.HighestModSeq != sel.HighestModSeq ||
		f.UIDNext == 0 || f.UIDNext != uint32(sel.UIDNext) || f.UIDValidity != sel.UIDValidity {
		return false, nil
	}
	n, err := e.st.FolderMessages(ctx, f.ID)
	if err != nil || n != int(sel.NumMessages) {
		return false, err
	}
	return true, e.st.SetFolderState(ctx, f.ID, e.synced(f, sel))
}

// synced is f's state after a sync that brought it in step with sel.
// Unseen stays as it was: the pass recounts every folder at its end, in
// one read (refreshUnseen), not one per folder.
func (e *Engine) synced(f store.Folder, sel *imap.SelectData) store.FolderState {
	return store.FolderState{
		UIDValidity: sel.UIDValidity, UIDNext: uint32(sel.UIDNext), HighestModSeq: sel.HighestModSeq,
		Total: int(sel.NumMessages), Unseen: f.Unseen, LastSync: e.opts.Now(),
	}
}

func (e *Engine) localUIDs(ctx context.Context, folder store.FolderID) (map[store.UID]store.UIDFlags, error) {
	list, err := e.st.UIDs(ctx, folder)
	if err != nil {
		return nil, err
	}
	m := make(map[store.UID]store.UIDFlags, len(list))
	for _, u := range list {
		m[u.UID] = u
	}
	return m, nil
}

func sameFlags(a, b store.UIDFlags) bool {
	if a.Flags != b.Flags || len(a.Keywords) != len(b.Keywords) {
		return false
	}
	ka, kb := slices.Clone(a.Keywords), slices.Clone(b.Keywords)
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// eachFlags runs UID FETCH 1:* (UID FLAGS) and hands each answer to fn as
// it arrives.
func (e *Engine) eachFlags(ctx context.Context, c *account.IMAPClient, f store.Folder, fn func(store.UIDFlags)) error {
	cmd := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return fmt.Errorf("mailsync: fetch flags %q: %w", f.Name, err)
		}
		bits, kw := fromIMAPFlags(buf.Flags)
		fn(store.UIDFlags{UID: store.UID(buf.UID), Flags: bits, Keywords: kw})
		if ctx.Err() != nil {
			cmd.Close()
			return ctx.Err()
		}
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("mailsync: fetch flags %q: %w", f.Name, err)
	}
	return nil
}

// pullChangedFlags asks only for messages whose flags changed since the last
// pass (RFC 7162 §3.1.4.1) and returns how many known messages changed and
// the UIDs it saw that the store lacks (new mail).
func (e *Engine) pullChangedFlags(ctx context.Context, c *account.IMAPClient, f store.Folder, local map[store.UID]store.UIDFlags) (int, []store.UID, error) {
	cmd := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, ModSeq: true, ChangedSince: f.HighestModSeq,
	})
	var changed []store.UIDFlags
	var fresh []store.UID
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return 0, nil, fmt.Errorf("mailsync: fetch changed flags %q: %w", f.Name, err)
		}
		bits, kw := fromIMAPFlags(buf.Flags)
		u := store.UIDFlags{UID: store.UID(buf.UID), Flags: bits, Keywords: kw, ModSeq: buf.ModSeq}
		if old, ok := local[u.UID]; !ok {
			fresh = append(fresh, u.UID)
		} else if !sameFlags(old, u) {
			changed = append(changed, u)
		}
	}
	if err := cmd.Close(); err != nil {
		return 0, nil, fmt.Errorf("mailsync: fetch changed flags %q: %w", f.Name, err)
	}
	return len(changed), fresh, e.st.SetFlags(ctx, f.ID, changed)
}

// serverUIDs lists every UID in the selected folder with UID SEARCH ALL
// (ESEARCH's compact ALL where offered, RFC 4731), sorted; never nil.
func (e *Engine) serverUIDs(c *account.IMAPClient, caps imap.CapSet) ([]store.UID, error) {
	var opts *imap.SearchOptions
	if caps.Has(imap.CapESearch) {
		opts = &imap.SearchOptions{ReturnAll: true}
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{}, opts).Wait()
	if err != nil {
		return nil, fmt.Errorf("mailsync: uid search all: %w", err)
	}
	all := data.AllUIDs()
	out := make([]store.UID, 0, len(all))
	for _, u := range all {
		out = append(out, store.UID(u))
	}
	slices.Sort(out)
	return out, nil
}

// fetchHeaders downloads the headers of the given UIDs (ascending), newest first, in
// batches, each batch one UID FETCH of an ascending set and one store
// transaction. It returns how many messages were stored. The next batch's
// FETCH runs while the store writes the last one (at most two batches in
// memory besides the one being written); c is free again when it returns.
// stored, when set, is told the UID bounds of each batch once committed.
func (e *Engine) fetchHeaders(ctx context.Context, c *account.IMAPClient, f store.Folder, sorted []store.UID, condstore bool, stored func(lo, hi store.UID)) (int, error) {
	if len(sorted) == 0 {
		return 0, nil
	}
	opts := &imap.FetchOptions{
		UID: true, Flags: true, InternalDate: true, RFC822Size: true, ModSeq: condstore,
		BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader, Peek: true}},
	}
	fetchCtx, stop := context.WithCancel(ctx)
	batches := make(chan headerBatch, 1)
	go func() {
		defer close(batches)
		for hi := len(sorted); hi > 0 && fetchCtx.Err() == nil; hi -= e.opts.Batch {
			lo := max(0, hi-e.opts.Batch)
			var set imap.UIDSet
			for _, u := range sorted[lo:hi] {
				set.AddNum(imap.UID(u))
			}
			msgs, err := collectHeaders(c.Fetch(set, opts))
			select {
			case batches <- headerBatch{msgs, err, sorted[lo], sorted[hi-1]}:
			case <-fetchCtx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		stop()
		for range batches { // wait for the fetcher: c is the caller's again
		}
	}()
	done := 0
	for b := range batches {
		if b.err != nil {
			return done, fmt.Errorf("mailsync: fetch headers %q: %w", f.Name, b.err)
		}
		if err := e.st.PutHeaders(ctx, f.ID, b.msgs); err != nil {
			return done, err
		}
		done += len(b.msgs)
		if stored != nil {
			stored(b.lo, b.hi)
		}
		e.emit(ctx, FolderProgress{Account: e.acct.Name, Folder: f.Name, Phase: PhaseHeaders, Done: done, Total: len(sorted)})
		if err := ctx.Err(); err != nil {
			return done, err
		}
	}
	return done, ctx.Err()
}

// headerBatch is one FETCH's worth of headers, or why it failed.
type headerBatch struct {
	msgs   []store.Message
	err    error
	lo, hi store.UID // the UIDs asked for
}

// headerHooks let a header pass follow a folder's sync (see syncFolder).
type headerHooks struct {
	missing func(n int)            // how many headers the folder lacks, before they are fetched
	stored  func(lo, hi store.UID) // a batch of them, UIDs lo to hi, is committed
}

// collectHeaders reads a header FETCH's messages into rows. It walks each
// message's items itself rather than Collect them: Collect reads the
// header literal with io.ReadAll (a few growing buffers per message),
// while one buffer here takes every header of the batch in turn, as
// headerMessage keeps none of its bytes.
func collectHeaders(cmd *imapclient.FetchCommand) ([]store.Message, error) {
	var batch []store.Message
	var header []byte
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		buf := imapclient.FetchMessageBuffer{SeqNum: msg.SeqNum}
		header = header[:0]
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				buf.UID = item.UID
			case imapclient.FetchItemDataFlags:
				buf.Flags = item.Flags
			case imapclient.FetchItemDataInternalDate:
				buf.InternalDate = item.Time
			case imapclient.FetchItemDataRFC822Size:
				buf.RFC822Size = item.Size
			case imapclient.FetchItemDataModSeq:
				buf.ModSeq = item.ModSeq
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					header = header[:0] // NIL: as Collect, the last section counts
					continue
				}
				var err error
				if header, err = readInto(header[:0], item.Literal); err != nil {
					cmd.Close()
					return nil, err
				}
			}
		}
		batch = append(batch, headerMessage(&buf, header))
	}
	return batch, cmd.Close()
}

// readInto reads lit whole into dst's storage, grown to lit's announced
// size (bounded: a larger literal grows as it arrives).
func readInto(dst []byte, lit imap.LiteralReader) ([]byte, error) {
	if n := lit.Size(); n <= maxPresized {
		dst = slices.Grow(dst, int(n))[:n]
		_, err := io.ReadFull(lit, dst)
		return dst, err
	}
	return io.ReadAll(lit)
}
