package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// batchBytes bounds the bytes (by RFC822.SIZE) of one batch's bodies held
// in memory, so that what a worker holds stays small whatever the mailbox.
const batchBytes = 2 << 20

// outgoing is one message of a batch about to be appended.
type outgoing struct {
	m  srcMsg
	sp *spool
	e  Entry
}

// cutBatches cuts msgs into batches (sub-slices, no copies) of at most n
// messages and batchBytes bytes held in memory (bodies above SpoolLimit go to disk). With ramp the
// first batches are small (1, 2, 4… messages): the first copies, and a
// pause, come at once.
func cutBatches(msgs []srcMsg, n int, ramp bool) [][]srcMsg {
	var out [][]srcMsg
	var size int64
	start := 0
	limit := max(n, 1)
	if ramp {
		limit = 1
	}
	for i, m := range msgs {
		mem := m.Size
		if mem > SpoolLimit {
			mem = 0
		}
		if i > start && (i-start >= limit || size+mem > batchBytes) {
			out, start, size = append(out, msgs[start:i:i]), i, 0
			limit = min(limit*2, max(n, 1))
		}
		size += mem
	}
	if start < len(msgs) {
		out = append(out, msgs[start:len(msgs):len(msgs)])
	}
	return out
}

// inMemory is how many bytes of msgs' bodies fetching them holds in
// memory: those up to SpoolLimit (larger ones are spooled to disk).
func inMemory(msgs []srcMsg) int64 {
	var n int64
	for _, m := range msgs {
		if m.Size <= SpoolLimit {
			n += m.Size
		}
	}
	return n
}

// copyBatch fetches and stores one batch (the catch-up pass).
func (r *runner) copyBatch(ctx context.Context, f *folderRun, msgs []srcMsg) error {
	if err := r.gate.wait(ctx); err != nil {
		return err
	}
	spools, err := r.fetchBatch(ctx, f, msgs)
	defer closeSpools(spools)
	if err != nil {
		return err
	}
	return r.storeBatch(ctx, f, msgs, spools)
}

// fetchBatch reads the bodies of msgs with one UID FETCH BODY.PEEK[]
// (RFC 3501 §6.4.5) on the source connection alone; a failure there
// drops only that connection.
func (r *runner) fetchBatch(ctx context.Context, f *folderRun, msgs []srcMsg) (map[imap.UID]*spool, error) {
	uids := make([]imap.UID, len(msgs))
	for i, m := range msgs {
		uids[i] = m.UID
	}
	var spools map[imap.UID]*spool
	err := r.retry(ctx, r.src.drop, func() error {
		closeSpools(spools)
		var err error
		spools, err = r.src.bodies(ctx, f.fp.Source, uids)
		return err
	})
	return spools, err
}

// storeBatch settles msgs, whose bodies are in spools:
//  1. each is looked for on the destination (see decide), and those not
//     there are written to the journal as in-flight, in one transaction;
//  2. they are appended with one MULTIAPPEND (RFC 3502) when the
//     destination offers it, else with pipelined APPENDs;
//  3. the outcomes go to the journal in one transaction.
//
// A batch is atomic on the destination: when it is refused, or its fate
// is unknown after a lost connection, each of its messages is settled on
// its own (look, then a single APPEND), so one bad message costs only
// itself and nothing is stored twice. Only destination connections are
// used (and dropped on failure).
func (r *runner) storeBatch(ctx context.Context, f *folderRun, msgs []srcMsg, spools map[imap.UID]*spool) error {
	var out []outgoing
	var already []Entry
	decideAll := func() error {
		f.unclaim(out, already)
		out, already = nil, nil
		if err := r.ensureIndex(ctx, f); err != nil {
			return err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range msgs {
			sp := spools[m.UID]
			if sp == nil {
				continue
			}
			m.Size = sp.size // the bytes are the truth; RFC822.SIZE should agree
			m.MsgID = sp.msgID
			if !m.hasDate {
				m.setDate(sp.date)
			}
			e := Entry{SrcFolder: f.fp.Source, SrcUIDValidity: f.srcUIDV, SrcUID: m.UID, Hash: sp.hash, Size: sp.size,
				MessageID: m.MsgID, DstFolder: f.fp.Dest, DstUIDValidity: f.dstUIDV}
			have, err := r.dstHas(ctx, f, m.key(), sp.hash)
			if err != nil {
				return err
			}
			f.claim(sp.hash)
			if have {
				e.Outcome = OutcomeAlready
				already = append(already, e)
			} else {
				e.Outcome = OutcomeInFlight
				out = append(out, outgoing{m, sp, e})
			}
		}
		return nil
	}
	err := r.tryDst(ctx, f, func() error {
		err := decideAll()
		for errors.Is(err, errStaleIndex) {
			err = decideAll()
		}
		return err
	})
	if err != nil {
		return err
	}
	vanished := len(msgs) - len(out) - len(already)
	pending := make([]Entry, len(out))
	for i, o := range out {
		pending[i] = o.e
	}
	f.appending.RLock() // settling ends the reservations (see claims.go)
	err = r.record(ctx, f, nil, already)
	f.appending.RUnlock()
	if err != nil {
		return err
	}
	if err := r.j.PutAll(context.WithoutCancel(ctx), pending); err != nil {
		return err
	}
	f.mu.Lock()
	f.rep.SourceCount -= vanished
	f.progress.Total -= vanished
	f.mu.Unlock()

	var done []Entry
	var unsettled []outgoing
	f.appending.RLock() // see folderRun.appending
	switch app := r.appender(ctx); {
	case len(out) == 0:
	case app != nil && app.caps["MULTIAPPEND"]:
		done, unsettled = r.sendMulti(ctx, f, out)
	case app != nil:
		done, unsettled = r.sendEach(ctx, f, out)
	default:
		done, unsettled = r.sendPipelined(ctx, f, out)
	}
	err = r.record(ctx, f, done, nil)
	f.appending.RUnlock()
	if err != nil {
		return err
	}
	for _, o := range unsettled {
		if err := r.settle(ctx, f, o.m, o.sp, o.e, true); err != nil {
			return err
		}
	}
	r.send(ctx, f)
	return nil
}

// unclaim gives back the claims of a decision step that failed halfway.
func (f *folderRun) unclaim(out []outgoing, already []Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range out {
		f.unreserve(o.e.Hash)
	}
	for _, e := range already {
		f.unreserve(e.Hash)
	}
}

// appender is this runner's appender connection, dialled on first use:
// it appends with MULTIAPPEND when the destination offers it, else with
// pipelined single APPENDs (see appendEach). nil (an appender that cannot
// connect) means single APPENDs through the ordinary connection.
func (r *runner) appender(ctx context.Context) *rawConn {
	if r.noApp {
		return nil
	}
	if r.app != nil {
		return r.app
	}
	app, err := dialRaw(ctx, r.plan.Dest)
	if err != nil {
		r.noApp = true
		return nil
	}
	// The appender takes the place of the ordinary connection, so that a
	// worker holds one connection per side (see dstConn).
	r.dst.logout()
	r.app = app
	return app
}

// sendMulti appends out with one MULTIAPPEND. It returns the settled
// entries (all copied), or, when the batch was refused or its fate is
// unknown, all of out as unsettled. A single refused message is settled
// here as failed.
func (r *runner) sendMulti(ctx context.Context, f *folderRun, out []outgoing) ([]Entry, []outgoing) {
	if len(out) == 0 {
		return nil, nil
	}
	items := make([]appendItem, len(out))
	for i, o := range out {
		items[i] = appendItem{flags: f.flagsFor(o.m.Flags()), date: o.m.Date(), size: o.sp.size, body: o.sp.reader()}
	}
	uidv, uids, err := r.app.multiAppend(f.fp.Dest, items)
	if err == nil {
		done := make([]Entry, len(out))
		for i, o := range out {
			e := o.e
			e.Outcome = OutcomeCopied
			if uids != nil && uidv == f.dstUIDV {
				e.DstUID = uids[i]
			}
			done[i] = e
		}
		return done, nil
	}
	if _, _, ok := refusal(err); ok && ctx.Err() == nil {
		// Nothing was stored (RFC 3502 §6.3.11): the messages go one by
		// one, so that only the bad one fails.
		return nil, out
	}
	// The batch may or may not have landed: forget the destination's
	// index, so that each message is looked for again, after the backoff
	// (a server may still be finishing the command on the lost link).
	r.resetDst(f)
	_ = sleep(ctx, r.opts.backoff())
	return nil, out
}

// sendEach appends out with one APPEND each on the appender (see
// appendEach). A refusal settles its message as failed; after a lost
// connection the messages without an answer are unsettled.
func (r *runner) sendEach(ctx context.Context, f *folderRun, out []outgoing) ([]Entry, []outgoing) {
	items := make([]appendItem, len(out))
	for i, o := range out {
		items[i] = appendItem{flags: f.flagsFor(o.m.Flags()), date: o.m.Date(), size: o.sp.size, body: o.sp.reader()}
	}
	res, err := r.app.appendEach(f.fp.Dest, items)
	var done []Entry
	var unsettled []outgoing
	for i, o := range out {
		e, a := o.e, res[i]
		switch reason, detail, refused := refusal(a.err); {
		case a.done && a.err == nil:
			e.Outcome = OutcomeCopied
			if a.uidValidity != 0 && a.uidValidity == f.dstUIDV {
				e.DstUID = a.uid
			}
			done = append(done, e)
		case a.done && refused && ctx.Err() == nil:
			e.Outcome, e.Reason, e.Detail = OutcomeFailed, reason, detail
			done = append(done, e)
		default:
			unsettled = append(unsettled, o)
		}
	}
	if err != nil || len(unsettled) > 0 {
		r.resetDst(f)
		_ = sleep(ctx, r.opts.backoff()) // see sendMulti
	}
	return done, unsettled
}

// sendPipelined appends out with one APPEND each through the ordinary
// connection (when the appender cannot connect), all sent before the
// first answer is awaited (non-synchronising literals when the server
// offers LITERAL+, RFC 7888). A refusal settles its message as failed;
// after a lost connection the messages without an answer are unsettled.
func (r *runner) sendPipelined(ctx context.Context, f *folderRun, out []outgoing) ([]Entry, []outgoing) {
	if len(out) == 0 {
		return nil, nil
	}
	// Into the folder the session has selected: Dovecot then appends
	// through the mailbox it holds open, instead of opening the folder
	// (reading its index) for every APPEND: measured here, ~0.6 ms of its
	// CPU per message instead of ~1.2 ms.
	if _, err := r.dst.open(ctx, f.fp.Dest, false); err != nil {
		return nil, out
	}
	c := r.dst.c.Client
	cmds := make([]*imapclient.AppendCommand, len(out))
	for i, o := range out {
		cmd := c.Append(f.fp.Dest, o.sp.size, &imap.AppendOptions{Flags: f.flagsFor(o.m.Flags()), Time: o.m.Date()})
		_, _ = io.Copy(cmd, o.sp.reader())
		_ = cmd.Close()
		cmds[i] = cmd
	}
	var done []Entry
	var unsettled []outgoing
	lost := false
	for i, o := range out {
		data, err := cmds[i].Wait()
		e := o.e
		switch reason, detail, refused := refusal(err); {
		case err == nil:
			e.Outcome = OutcomeCopied
			if data != nil && data.UIDValidity == f.dstUIDV {
				e.DstUID = data.UID
			}
			done = append(done, e)
		case refused && ctx.Err() == nil:
			e.Outcome, e.Reason, e.Detail = OutcomeFailed, reason, detail
			done = append(done, e)
		default:
			lost = true
			unsettled = append(unsettled, o)
		}
	}
	if lost {
		r.resetDst(f)
		_ = sleep(ctx, r.opts.backoff()) // see sendMulti
	}
	return done, unsettled
}

func closeSpools(m map[imap.UID]*spool) {
	for _, sp := range m {
		sp.Close()
	}
}

// fetchBodies reads the raw bytes of set with BODY.PEEK[] (\Seen is not
// set) into spools, by UID, one body at a time; a UID missing from the
// answer has vanished from the source.
func fetchBodies(c *imapclient.Client, set imap.UIDSet) (map[imap.UID]*spool, error) {
	out := map[imap.UID]*spool{}
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	var ferr error
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		var uid imap.UID
		var sp *spool
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = it.UID
			case imapclient.FetchItemDataBodySection:
				if it.Literal != nil && sp == nil && ferr == nil {
					sp, ferr = newSpool(it.Literal)
				}
			}
		}
		if sp != nil {
			if uid == 0 || out[uid] != nil {
				sp.Close()
				continue
			}
			out[uid] = sp
		}
	}
	if err := cmd.Close(); err != nil && !noMatch(err) && ferr == nil {
		ferr = fmt.Errorf("migrate: fetch bodies: %w", err)
	}
	if ferr != nil {
		closeSpools(out)
		return nil, ferr
	}
	return out, nil
}
