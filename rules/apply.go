package rules

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// LoadLocal returns the account's client-side rule set from the store (an
// empty set when it has none).
func LoadLocal(ctx context.Context, st *store.Store, acct store.AccountID) (Set, error) {
	data, err := st.RuleSet(ctx, acct)
	if err != nil || data == nil {
		return Set{}, err
	}
	var s Set
	if err := json.Unmarshal(data, &s); err != nil {
		return Set{}, fmt.Errorf("rules: stored rule set: %w", err)
	}
	return s, nil
}

// SaveLocal validates s and stores it as the account's client-side rules.
func SaveLocal(ctx context.Context, st *store.Store, acct store.AccountID, s Set) error {
	if err := s.Validate(); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("rules: encode set: %w", err)
	}
	return st.SetRuleSet(ctx, acct, data)
}

// OptionsFor picks the Junk and Trash folders from the folders' roles
// (RFC 6154), falling back to the names "Junk" and "Trash".
func OptionsFor(folders []store.Folder) CompileOptions {
	var o CompileOptions
	for _, f := range folders {
		switch f.Role {
		case "junk":
			o.Junk = f.Name
		case "trash":
			o.Trash = f.Name
		}
	}
	return o
}

// Applied counts what ApplyFolder did.
type Applied struct {
	Examined int // messages the rules ran over
	Matched  int // messages some rule (or the block list) matched
	Moved    int // moves queued
	Copied   int // copies queued
	Flagged  int // flag changes queued (messages)
	// Missing lists folders rules file into that the store does not know:
	// those actions were skipped (client-side rules cannot create folders).
	Missing []string
	// Forwards counts forward actions not done: over mail already here
	// (ApplyFolder) this computer does not send mail on a rule's behalf, nor
	// without a Forwarder, the message's bytes, or when it would loop.
	Forwards int
	// Forwarded counts copies queued for sending by the Forwarder (new
	// mail only).
	Forwarded int
}

// batch bounds the UIDs of one queued operation, so the engine sends them
// as a few UID MOVE / COPY / STORE commands with reasonable set sizes.
const batch = 1000

// ApplyFolder runs s over every message the store holds in folder and
// queues the resulting moves, copies and flag changes in the store's
// offline operations queue (the sync engine sends them, batched by
// target). Every message examined is marked applied. Messages without a
// downloaded body are judged on their header fields (body and header
// conditions do not match them). Blocking: runs to completion or ctx.
func ApplyFolder(ctx context.Context, st *store.Store, folder store.Folder, s Set) (Applied, error) {
	a, err := newApplier(ctx, st, folder, s)
	if err != nil {
		return Applied{}, err
	}
	var cursor *store.Cursor
	for {
		page, err := st.Page(ctx, folder.ID, store.PageRequest{Limit: 500, After: cursor, Oldest: true})
		if err != nil {
			return a.res, err
		}
		if len(page) == 0 {
			break
		}
		c := page[len(page)-1].Cursor()
		cursor = &c
		if err := a.run(ctx, page); err != nil {
			return a.res, err
		}
	}
	return a.res, a.finish(ctx)
}

// ApplyNew runs s over the messages of folder that arrived since the rules
// last ran there (UIDs above the store's watermark), once each, and queues
// the result like ApplyFolder. The first time it runs on a folder (no
// watermark) it only sets the watermark: mail that was there before is not
// new, and `rules apply` is the way to run rules over it.
func ApplyNew(ctx context.Context, st *store.Store, folder store.Folder, s Set) (Applied, error) {
	return applyNew(ctx, st, folder, s, nil)
}

// applyNew is ApplyNew whose forward actions are done through fwd when
// not nil (queued before the messages are marked applied: a crash between
// the two may forward one twice, never lose it).
func applyNew(ctx context.Context, st *store.Store, folder store.Folder, s Set, fwd Forwarder) (Applied, error) {
	mark, ok, err := st.RulesWatermark(ctx, folder.ID, folder.UIDValidity)
	if err != nil {
		return Applied{}, err
	}
	uids, err := st.UIDs(ctx, folder.ID)
	if err != nil {
		return Applied{}, err
	}
	var fresh []store.UID
	var top store.UID
	for _, u := range uids {
		if u.UID.Provisional() {
			continue
		}
		top = max(top, u.UID)
		if ok && u.UID > mark {
			fresh = append(fresh, u.UID)
		}
	}
	if !ok {
		// UID 0 (no message has it) marks an empty folder: all that
		// arrives later is new.
		return Applied{}, st.MarkRulesApplied(ctx, folder.ID, folder.UIDValidity, []store.UID{top})
	}
	a, err := newApplier(ctx, st, folder, s)
	if err != nil || len(fresh) == 0 {
		return Applied{}, err
	}
	a.fwd = fwd
	var msgs []store.Message
	for _, u := range fresh {
		id, err := st.Lookup(ctx, folder.ID, u)
		if err != nil {
			return a.res, err
		}
		m, err := st.Message(ctx, id)
		if err != nil {
			return a.res, err
		}
		msgs = append(msgs, m)
	}
	if err := a.run(ctx, msgs); err != nil {
		return a.res, err
	}
	return a.res, a.finish(ctx)
}

// StartWatermark makes the mail now in folder count as seen by the rules,
// so that ApplyNew later judges only what arrives after this.
func StartWatermark(ctx context.Context, st *store.Store, folder store.Folder) error {
	_, err := ApplyNew(ctx, st, folder, Set{})
	return err
}

// applier evaluates messages of one folder and collects the operations.
type applier struct {
	st     *store.Store
	folder store.Folder
	set    Set
	o      CompileOptions
	byName map[string]store.FolderID
	q      *queue
	seen   []store.UID
	res    Applied
	fwd    Forwarder // nil: forward actions are counted, not done
	delim  string    // the account's hierarchy delimiter, for folders made here
}

func newApplier(ctx context.Context, st *store.Store, folder store.Folder, s Set) (*applier, error) {
	folders, err := st.Folders(ctx, folder.Account)
	if err != nil {
		return nil, err
	}
	a := &applier{st: st, folder: folder, set: s, o: OptionsFor(folders), byName: map[string]store.FolderID{}, q: newQueue()}
	for _, f := range folders {
		a.byName[f.Name] = f.ID
		a.byName[f.RawName] = f.ID
		if a.delim == "" {
			a.delim = f.Delim
		}
		if f.Role == "inbox" {
			a.byName["INBOX"] = f.ID
		}
	}
	return a, nil
}

// run evaluates msgs.
func (a *applier) run(ctx context.Context, msgs []store.Message) error {
	for _, m := range msgs {
		if m.UID.Provisional() {
			continue // a pending operation's result; judged once it has a UID
		}
		a.seen = append(a.seen, m.UID)
		a.res.Examined++
		msg, err := storedMessage(ctx, a.st, m)
		if err != nil {
			return err
		}
		out := a.set.Evaluate(msg, a.folder.Name, a.o)
		if len(out.Matched) > 0 || out.Blocked {
			a.res.Matched++
		}
		if err := a.forward(ctx, m, out.Forward); err != nil {
			return err
		}
		if err := a.createMissing(ctx, out.Folders); err != nil {
			return err
		}
		a.q.add(m.UID, out, a.byName, &a.res)
	}
	return nil
}

// createMissing makes the folders a rule files into that the account does
// not have yet: here at once, and on the server by the queued CREATE that
// the sync engine replays before the moves queued after it ("move to
// folder, created if missing").
func (a *applier) createMissing(ctx context.Context, names []string) error {
	for _, name := range names {
		if _, ok := a.byName[name]; ok || name == "" {
			continue
		}
		delim := a.delim
		if delim == "" {
			delim = "/"
		}
		id, _, err := a.st.CreateFolderOffline(ctx, store.Folder{Account: a.folder.Account, Name: name, RawName: name, Delim: delim})
		if err != nil {
			return err
		}
		a.byName[name] = id
	}
	return nil
}

// forward queues the copies of m the rules ask for.
func (a *applier) forward(ctx context.Context, m store.Message, to []string) error {
	if len(to) == 0 {
		return nil
	}
	if a.fwd == nil {
		a.res.Forwards += len(to)
		return nil
	}
	raw, err := a.st.Raw(ctx, m.ID)
	if errors.Is(err, store.ErrNotFound) {
		a.res.Forwards += len(to) // headers only here: nothing whole to send
		return nil
	}
	if err != nil {
		return err
	}
	for _, addr := range to {
		err := a.fwd.Forward(ctx, raw, addr)
		switch {
		case err == nil:
			a.res.Forwarded++
		case errors.Is(err, ErrLoop):
			a.res.Forwards++
		default:
			return err
		}
	}
	return nil
}

// finish queues the operations, then marks the messages applied: a crash
// between the two can repeat a rule's work (idempotent: a flag set twice, a
// move of a message already gone), never lose it.
func (a *applier) finish(ctx context.Context) error {
	if err := a.q.enqueue(ctx, a.st, a.folder.ID); err != nil {
		return err
	}
	return a.st.MarkRulesApplied(ctx, a.folder.ID, a.folder.UIDValidity, a.seen)
}

// storedMessage builds the evaluation view of a stored message: from its
// raw bytes when downloaded, else from its header fields.
func storedMessage(ctx context.Context, st *store.Store, m store.Message) (Message, error) {
	raw, err := st.Raw(ctx, m.ID)
	if err == nil {
		return NewMessage(raw, m.Size), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return Message{}, err
	}
	conv := func(as []store.Address) []message.Address {
		out := make([]message.Address, len(as))
		for i, a := range as {
			out[i] = message.Address{Name: a.Name, Addr: a.Addr}
		}
		return out
	}
	return Message{From: conv([]store.Address{m.From}), To: conv(m.To), Cc: conv(m.Cc),
		Subject: m.Subject, Size: m.Size, HasAttachment: m.HasAttachment}, nil
}

// queue groups outcomes into few operations: one flag change per flag
// set, one copy and one move per target folder.
type queue struct {
	flags  map[store.Flags][]store.UID
	kws    map[string][]store.UID
	copies map[store.FolderID][]store.UID
	moves  map[store.FolderID][]store.UID
}

func newQueue() *queue {
	return &queue{flags: map[store.Flags][]store.UID{}, kws: map[string][]store.UID{},
		copies: map[store.FolderID][]store.UID{}, moves: map[store.FolderID][]store.UID{}}
}

func (q *queue) add(uid store.UID, out Outcome, byName map[string]store.FolderID, res *Applied) {
	var fl store.Flags
	if out.Seen {
		fl |= store.FlagSeen
	}
	if out.Flagged {
		fl |= store.FlagFlagged
	}
	if fl != 0 || len(out.Keywords) > 0 {
		res.Flagged++
	}
	if fl != 0 {
		q.flags[fl] = append(q.flags[fl], uid)
	}
	for _, k := range out.Keywords {
		q.kws[k] = append(q.kws[k], uid)
	}
	moved := false
	for _, name := range out.Folders {
		id, ok := byName[name]
		if !ok {
			if !slices.Contains(res.Missing, name) {
				res.Missing = append(res.Missing, name)
			}
			continue
		}
		// The first target of a message that leaves its folder is a move;
		// the others are copies made before it.
		if !out.Keep && !moved {
			q.moves[id] = append(q.moves[id], uid)
			moved = true
			res.Moved++
			continue
		}
		q.copies[id] = append(q.copies[id], uid)
		res.Copied++
	}
}

// enqueue writes the operations: flags first, then copies, then moves
// (a move changes the message's UID, so it must come last).
func (q *queue) enqueue(ctx context.Context, st *store.Store, folder store.FolderID) error {
	put := func(op store.Op, uids []store.UID) error {
		for len(uids) > 0 {
			n := min(len(uids), batch)
			op.UIDs = uids[:n]
			if _, err := st.EnqueueOp(ctx, op); err != nil {
				return err
			}
			uids = uids[n:]
		}
		return nil
	}
	for fl, uids := range sortedMap(q.flags) {
		if err := put(store.Op{Kind: store.OpFlagsAdd, Folder: folder, Flags: fl}, uids); err != nil {
			return err
		}
	}
	for kw, uids := range sortedMap(q.kws) {
		if err := put(store.Op{Kind: store.OpFlagsAdd, Folder: folder, Keywords: []string{kw}}, uids); err != nil {
			return err
		}
	}
	for id, uids := range sortedMap(q.copies) {
		if err := put(store.Op{Kind: store.OpCopy, Folder: folder, Target: id}, uids); err != nil {
			return err
		}
	}
	for id, uids := range sortedMap(q.moves) {
		if err := put(store.Op{Kind: store.OpMove, Folder: folder, Target: id}, uids); err != nil {
			return err
		}
	}
	return nil
}

// sortedMap iterates a map in key order, so the queue is deterministic.
func sortedMap[K cmp.Ordered, V any](m map[K]V) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if !yield(k, m[k]) {
				return
			}
		}
	}
}
