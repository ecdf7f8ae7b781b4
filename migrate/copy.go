package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// settle copies one fetched source message the careful way: it looks
// for an unclaimed identical message on the destination and APPENDs only
// when there is none, retrying transient failures from the look (an
// APPEND cut off may or may not have landed). e is the message's journal
// entry, already written as in-flight or to be written now; sent says
// whether a batch tried to APPEND it (and holds a claim on its hash,
// released first). A message found on the destination after an APPEND
// of it was tried counts as copied: the look before had not found it.
func (r *runner) settle(ctx context.Context, f *folderRun, m srcMsg, sp *spool, e Entry, sent bool) error {
	reserved := sent
	return r.tryDst(ctx, f, func() error {
		if reserved {
			f.release(sp.hash)
			reserved = false
		}
		have, err := r.decide(ctx, f, m.key(), sp.hash)
		for errors.Is(err, errStaleIndex) {
			have, err = r.decide(ctx, f, m.key(), sp.hash)
		}
		if err != nil {
			return err
		}
		reserved = true // decide claims either way
		e.DstUIDValidity = f.dstUIDV
		if have && sent {
			e.Outcome, e.DstUID = OutcomeCopied, 0
			reserved = false
			f.appending.RLock() // settling ends the reservation (see claims.go)
			defer f.appending.RUnlock()
			return r.record(ctx, f, []Entry{e}, nil)
		}
		if have {
			e.Outcome = OutcomeAlready
			f.appending.RLock() // settling ends the reservation (see claims.go)
			defer f.appending.RUnlock()
			if err := r.put(ctx, f, e); err != nil {
				return err
			}
			reserved = false
			f.mu.Lock()
			f.keepClaim(m.key(), sp.hash)
			f.rep.Already++
			f.mu.Unlock()
			return nil
		}
		e.Outcome = OutcomeInFlight
		if err := r.put(ctx, f, e); err != nil {
			return err
		}
		sent = true
		f.appending.RLock()
		defer f.appending.RUnlock()
		uid, err := r.appendMsg(ctx, f, m, sp)
		if err == nil {
			e.Outcome, e.DstUID = OutcomeCopied, uid
			reserved = false
			return r.record(ctx, f, []Entry{e}, nil)
		}
		if reason, detail, ok := refusal(err); ok && ctx.Err() == nil {
			e.Outcome, e.Reason, e.Detail = OutcomeFailed, reason, detail
			reserved = false
			return r.record(ctx, f, []Entry{e}, nil)
		}
		return err
	})
}

// record writes the outcomes of messages that were reserved (copied or
// failed, or already there) in one journal transaction, counts them and
// ends their reservations. The caller holds f.appending shared (see
// claims.go).
func (r *runner) record(ctx context.Context, f *folderRun, done []Entry, already []Entry) error {
	if err := r.j.PutAll(context.WithoutCancel(ctx), slices.Concat(done, already)); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range slices.Concat(done, already) {
		f.srcTop = max(f.srcTop, e.SrcUID)
	}
	for _, e := range done {
		switch e.Outcome {
		case OutcomeCopied:
			k := msgKey{e.MessageID, e.Size}
			if c := f.counts[k]; c != nil {
				c[e.Hash]++
			}
			f.keepClaim(k, e.Hash)
			if e.DstUID == 0 {
				f.noEarly = true
			}
			f.dstTop = max(f.dstTop, e.DstUID)
			f.rep.Copied++
		case OutcomeFailed:
			f.unreserve(e.Hash)
			f.rep.Failed++
			f.rep.Failures = append(f.rep.Failures, Failure{UID: e.SrcUID, MessageID: e.MessageID, Size: e.Size, Reason: e.Reason, Detail: e.Detail})
		}
	}
	for _, e := range already {
		f.keepClaim(msgKey{e.MessageID, e.Size}, e.Hash)
	}
	f.rep.Already += len(already)
	f.progress.Done += len(done) + len(already)
	f.progress.Copied, f.progress.Already, f.progress.Failed = f.rep.Copied, f.rep.Already, f.rep.Failed
	return nil
}

func (r *runner) put(ctx context.Context, f *folderRun, e Entry) error {
	// The journal write must not be lost to a cancelled ctx halfway
	// through a message: it records what already happened on the server.
	if err := r.j.Put(context.WithoutCancel(ctx), e); err != nil {
		return err
	}
	f.mu.Lock()
	if e.Outcome == OutcomeAlready {
		f.progress.Done++
		f.srcTop = max(f.srcTop, e.SrcUID)
	}
	f.mu.Unlock()
	return nil
}

// release gives back a reservation of hash h.
func (f *folderRun) release(h [32]byte) {
	f.mu.Lock()
	f.unreserve(h)
	f.mu.Unlock()
}

// decide reports whether the destination folder holds a message with
// hash h that no other source message accounts for, and claims one copy
// of h either way: the one found, or the one about to be appended. It
// holds f.mu throughout, so that two workers never claim the same copy.
// errStaleIndex means another worker dropped the index meanwhile: call
// again.
func (r *runner) decide(ctx context.Context, f *folderRun, k msgKey, h [32]byte) (bool, error) {
	if err := r.ensureIndex(ctx, f); err != nil {
		return false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	have, err := r.dstHas(ctx, f, k, h)
	if err != nil {
		return false, err
	}
	f.claim(h)
	return have, nil
}

// errStaleIndex means the destination folder's index was dropped (a
// connection lost while appending) between ensureIndex and its use.
var errStaleIndex = errors.New("migrate: destination index dropped")

// ensureIndex makes sure f has its destination index: the destination
// messages by Message-ID and size (one FETCH of those header fields). It
// is built while no APPEND into the folder is in flight (f.appending held
// exclusively), so that it holds exactly the copies that the recorded
// outcomes account for. It must be called without f.mu or f.appending.
func (r *runner) ensureIndex(ctx context.Context, f *folderRun) error {
	f.mu.Lock()
	ok := f.idx != nil
	f.mu.Unlock()
	if ok {
		return nil
	}
	f.appending.Lock()
	defer f.appending.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.idx != nil {
		return nil
	}
	r.closeApp() // one connection per side
	if err := r.openDest(ctx, f); err != nil {
		return err
	}
	n, err := r.dst.fresh(ctx, f.fp.Dest, false)
	if err != nil {
		return err
	}
	c := r.dst.c.Client
	idx := map[msgKey][]imap.UID{}
	if n > 0 {
		list, err := fetchMeta(c, imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, false, true, int(n))
		if err != nil {
			return err
		}
		for _, m := range list {
			idx[m.key()] = append(idx[m.key()], m.UID)
		}
	}
	claimed, err := r.loadClaims(ctx, f, idx)
	if err != nil {
		return err
	}
	f.idx, f.counts, f.claimed = idx, map[msgKey]map[[32]byte]int{}, claimed
	return nil
}

// dstHas reports whether the destination folder holds a message with
// hash h that no other source message accounts for. Candidates are the
// destination messages of the index with the same Message-ID and size;
// only their bodies are fetched, streamed through SHA-256. The caller
// holds f.mu; without an index it returns errStaleIndex.
func (r *runner) dstHas(ctx context.Context, f *folderRun, k msgKey, h [32]byte) (bool, error) {
	if f.idx == nil {
		return false, errStaleIndex
	}
	counts, ok := f.counts[k]
	if !ok && len(f.idx[k]) == 0 {
		// No candidate: what the destination holds under k is what this
		// run appended since the index was built, and every such copy is
		// claimed. Nothing is kept per message, so that a copy into an
		// empty folder holds no map per message it appends.
		return false, nil
	}
	if !ok {
		counts = map[[32]byte]int{}
		if uids := f.idx[k]; len(uids) > 0 {
			r.closeApp()
			if err := r.openDest(ctx, f); err != nil {
				return false, err
			}
			hashes, err := hashBodies(r.dst.c.Client, imap.UIDSetNum(uids...))
			if err != nil {
				return false, err
			}
			for _, sum := range hashes {
				counts[sum]++
			}
		}
		f.counts[k] = counts
	}
	return counts[h]-f.claims(h) > 0, nil
}

// appendMsg APPENDs the spooled message with its flags and INTERNALDATE
// (RFC 3501 §6.3.11) and returns the new UID from APPENDUID (RFC 4315),
// or 0 without UIDPLUS.
func (r *runner) appendMsg(ctx context.Context, f *folderRun, m srcMsg, sp *spool) (imap.UID, error) {
	c, err := r.dstClient(ctx)
	if err != nil {
		return 0, err
	}
	cmd := c.Append(f.fp.Dest, sp.size, &imap.AppendOptions{Flags: f.flagsFor(m.Flags()), Time: m.Date()})
	_, werr := io.Copy(cmd, sp.reader())
	cerr := cmd.Close()
	data, err := cmd.Wait()
	if err == nil {
		err = errors.Join(werr, cerr)
	}
	if err != nil {
		return 0, fmt.Errorf("migrate: append to %q: %w", f.fp.Dest, err)
	}
	if data != nil && data.UIDValidity == f.dstUIDV {
		return data.UID, nil
	}
	return 0, nil
}

// flagsFor keeps the flags the destination stores permanently (RFC 3501
// §7.1: PERMANENTFLAGS, \* meaning any keyword); \Recent is never sent.
// Keywords left out are remembered for the report.
func (f *folderRun) flagsFor(flags []imap.Flag) []imap.Flag {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []imap.Flag
	wildcard := false
	perm := map[string]bool{}
	for _, p := range f.perm {
		if p == imap.FlagWildcard {
			wildcard = true
		}
		perm[strings.ToLower(string(p))] = true
	}
	for _, fl := range flags {
		lower := strings.ToLower(string(fl))
		switch {
		case lower == `\recent`:
		case f.perm == nil || perm[lower]:
			out = append(out, fl)
		case strings.HasPrefix(lower, `\`):
			// a system flag the destination cannot keep: leave it out
		case wildcard:
			out = append(out, fl)
		default:
			f.dropped[string(fl)] = true
		}
	}
	return out
}
