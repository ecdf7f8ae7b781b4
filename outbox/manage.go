package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// The member's hand on the outbox: why a message did not leave (kept in
// the store as a reason), and retry, reschedule, or take it back as a
// draft.

// ErrInterrupted is the stored failure of an attempt a dead process left
// claimed: whether the server took the message is unknown.
var ErrInterrupted = errors.New("outbox: " + ReasonInterrupted)

// storedReason is how a failure is kept in store.Outgoing.Reason, so that
// the outbox view can word it (and its fix) as the flush that met it did.
type storedReason struct {
	Kind     string   `json:"kind"` // "recipient", "sender", "data", "size", "provider-size", "other"
	Rcpts    []string `json:"rcpts,omitempty"`
	Code     int      `json:"code,omitempty"`
	Text     string   `json:"text,omitempty"`
	Size     int64    `json:"size,omitempty"`
	Limit    int64    `json:"limit,omitempty"`
	Original string   `json:"error,omitempty"`
}

// reasonOf encodes err for the store.
func reasonOf(err error) string {
	var re *RejectedError
	var tl *TooLargeError
	r := storedReason{Kind: "other", Original: err.Error()}
	switch {
	case errors.As(err, &tl):
		r = storedReason{Kind: "size", Size: tl.Size, Limit: tl.Limit}
		if tl.Provider {
			r.Kind = "provider-size"
		}
	case errors.As(err, &re):
		r = storedReason{Kind: re.Stage, Rcpts: re.Recipients, Code: re.Code, Text: re.Text}
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// StoredError turns a message's stored Reason back into the error that
// caused it: a *RejectedError, a *TooLargeError, ErrInterrupted, or a plain
// error with the text; nil for no reason.
func StoredError(reason string) error {
	switch {
	case reason == "":
		return nil
	case reason == ReasonInterrupted:
		return ErrInterrupted
	}
	var r storedReason
	if !strings.HasPrefix(reason, "{") || json.Unmarshal([]byte(reason), &r) != nil {
		return errors.New(reason)
	}
	switch r.Kind {
	case "size", "provider-size":
		return &TooLargeError{Size: r.Size, Limit: r.Limit, Provider: r.Kind == "provider-size"}
	case "recipient", "sender", "data":
		return &RejectedError{Stage: r.Kind, Recipients: r.Rcpts, Code: r.Code, Text: r.Text}
	}
	return errors.New(r.Original)
}

// Retry queues a failed (or scheduled) message to leave at the next flush.
func (o *Outbox) Retry(ctx context.Context, id store.OutboxID) error {
	return o.Store.RescheduleOutgoing(ctx, id, time.Time{})
}

// Reschedule sets when a queued or failed message leaves (zero: at the
// next flush). Its Date header keeps the time it was written.
func (o *Outbox) Reschedule(ctx context.Context, id store.OutboxID, at time.Time) error {
	return o.Store.RescheduleOutgoing(ctx, id, at)
}

// ToDraft takes a queued or failed message out of the outbox and makes it a
// local draft of account a again (Bcc recovered from the envelope), then
// queues its upload to Drafts when that folder is known or can be asked
// for (a zero a: no upload). The outbox row and the draft are swapped in one transaction, so the
// text is never lost; a failed upload is retried at the next start
// (UploadPendingDrafts) and does not fail the call. A message being sent
// is left alone (store.ErrClaimed).
func (o *Outbox) ToDraft(ctx context.Context, a account.Account, id store.OutboxID) (store.DraftID, error) {
	out, err := o.Store.OutgoingByID(ctx, id)
	if err != nil {
		return 0, err
	}
	m, err := message.Reopen(out.Raw)
	if err != nil {
		return 0, fmt.Errorf("outbox: reopen outgoing %d: %w", id, err)
	}
	shown := map[string]bool{}
	for _, list := range [][]message.Address{m.To, m.Cc, m.Bcc} {
		for _, x := range list {
			shown[strings.ToLower(x.Addr)] = true
		}
	}
	for _, r := range out.Rcpts {
		if r != "" && !shown[strings.ToLower(r)] {
			m.Bcc = append(m.Bcc, message.Address{Addr: r})
		}
	}
	m.Draft, m.Sender = true, message.Address{}
	raw, err := m.Build()
	if err != nil {
		return 0, fmt.Errorf("outbox: draft from outgoing %d: %w", id, err)
	}
	did, err := o.Store.OutgoingToDraft(ctx, id, store.LocalDraft{Account: out.Account, MsgID: m.MessageID, Subject: m.Subject, Raw: raw})
	if err != nil {
		return 0, err
	}
	if a.Name != "" { // an account no longer configured: the draft stays local
		_ = o.UploadDraft(ctx, a, did)
	}
	return did, nil
}
