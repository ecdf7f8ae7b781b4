// Package corpus generates a deterministic corpus of test mail: bilingual
// (Chinese and English) business mail in the charsets, encodings and shapes
// that Chinese enterprise mailboxes hold, with threads, duplicates,
// attachments with Chinese names, HTML-only mail, flags and keywords, and,
// on request, deliberately malformed MIME.
//
// The same Options give byte-identical output on every run and machine:
// nothing depends on the clock, map order or the environment. The random
// source is math/rand/v2's PCG, whose output is specified and stable.
//
// It is used by the sync, migration and TUI demo tests and by benchmarks.
package corpus

import (
	"iter"
	"time"
)

// Options says what to generate.
type Options struct {
	Seed     int64
	Messages int // how many messages Each yields, duplicates included
	// LargeEvery makes every LargeEvery-th message (the LargeEvery-th,
	// 2·LargeEvery-th, …) carry a 1–5 MB attachment; 0 means none.
	LargeEvery int
	// Malformed mixes in about 2% deliberately broken messages (see
	// Message.Malformed).
	Malformed bool
	// Owner is whose mailbox this is: the To of received mail, the From of
	// sent mail and drafts. The zero Owner is 孙丽 <sunli@magpie-demo.cn>,
	// and every message carries her signature (the output of older corpora,
	// kept byte for byte); with an Owner set, each message is signed by its
	// sender instead.
	Owner Owner
}

// Owner names the mailbox owner of a corpus.
type Owner struct {
	Name string // display name, e.g. 陈明
	Addr string // address, e.g. chenming@example.cn
	// Latin is the name as an English signature writes it (Chen Ming);
	// "" means Name.
	Latin string
}

// Folder is one mailbox of the corpus.
type Folder struct {
	Name string // decoded UTF-8, "/"-separated tree, e.g. "客户邮件/2024"
	Role string // "inbox", "sent", "drafts", "trash", "junk", "archive" or ""
}

// Message is one generated message, ready to APPEND.
type Message struct {
	Folder       string    // a Folder.Name from Folders
	Raw          []byte    // RFC 5322 bytes with CRLF line ends
	Flags        []string  // IMAP system flags and keywords, sorted
	InternalDate time.Time // when the server received it
	MessageID    string    // without angle brackets; "" when the message has none
	// Malformed names the deliberate damage ("bad-boundary",
	// "bad-base64", "unknown-charset", "truncated", "raw-8bit-header"),
	// "" for a well-formed message.
	Malformed string
	// Duplicate is true when Raw repeats the previous message's bytes
	// exactly, in the same folder.
	Duplicate bool
}

// Base is the corpus's "now": dates go back about three years from it.
func Base() time.Time {
	return time.Date(2026, 6, 1, 0, 0, 0, 0, chinaZone())
}

func chinaZone() *time.Location { return time.FixedZone("CST", 8*3600) }

// Folders returns the corpus's folders, parents before children.
func Folders() []Folder {
	return []Folder{
		{Name: "INBOX", Role: "inbox"},
		{Name: "已发送", Role: "sent"},
		{Name: "草稿箱", Role: "drafts"},
		{Name: "已删除", Role: "trash"},
		{Name: "垃圾邮件", Role: "junk"},
		{Name: "Archive", Role: "archive"},
		{Name: "客户邮件"},
		{Name: "客户邮件/2024"},
		{Name: "客户邮件/2025"},
		{Name: "Projects"},
		{Name: "Projects/Magpie"},
	}
}

// folderWeights gives each folder's share of messages, in Folders order.
func folderWeights() []int {
	return []int{40, 14, 3, 3, 3, 8, 4, 8, 8, 2, 7}
}

// Each generates the corpus one message at a time and calls fn with each,
// in order, so that a large corpus never sits in memory at once (only the
// message being built and a few identifiers for threading are kept). It
// stops at the first error fn returns and returns that error. fn may keep
// the Message: each has its own Raw and Flags.
func Each(opts Options, fn func(Message) error) error {
	g := newGenerator(opts)
	for i := 0; i < opts.Messages; i++ {
		if err := fn(g.next(i)); err != nil {
			return err
		}
	}
	return nil
}

// All is Each as a range-over-func iterator.
func All(opts Options) iter.Seq[Message] {
	return func(yield func(Message) bool) {
		g := newGenerator(opts)
		for i := 0; i < opts.Messages; i++ {
			if !yield(g.next(i)) {
				return
			}
		}
	}
}

// Generate returns the whole corpus as a slice: a convenience for small
// corpora. Prefer Each or All for thousands of messages.
func Generate(opts Options) []Message {
	out := make([]Message, 0, max(opts.Messages, 0))
	for m := range All(opts) {
		out = append(out, m)
	}
	return out
}
