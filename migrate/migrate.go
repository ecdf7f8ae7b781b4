// Package migrate is the mail migration engine (邮箱搬家): it copies every
// message of a source IMAP account to a destination IMAP account, byte for
// byte, with its flags, keywords and INTERNALDATE, and proves the result.
//
// Contracts:
//   - The source is never modified: folders are opened with EXAMINE
//     (RFC 3501 §6.3.2) and bodies read with BODY.PEEK (§6.4.5), so no flag,
//     \Recent or expunge is ever caused there.
//   - Messages are stored with APPEND carrying the flags and the
//     INTERNALDATE (RFC 3501 §6.3.11); the destination UID comes from
//     APPENDUID (RFC 4315 §3) when UIDPLUS is offered.
//   - No duplicates: every decision is written to a journal (a small SQLite
//     file per source/destination pair) before it is acted upon, and a
//     message whose fate is unknown is looked for on the destination, by
//     Message-ID and size and then by SHA-256 of the raw bytes, before it is
//     copied. Source duplicates stay as many on the destination as on the
//     source (equality as multisets of content hashes).
//   - Verification proves the result from both sides' bytes: per folder,
//     the source's content hashes (from the journal, taken from the bytes
//     fetched) against hashes of every destination message as the
//     destination serves it, as multisets.
//   - Memory stays flat: each worker holds at most two batches of bodies
//     (the one being stored, the next one fetched meanwhile; each at most
//     Options.Batch messages and 2 MB), a body above SpoolLimit bytes in a
//     temporary file; no journal entry per message is kept in memory,
//     nor a claim per message copied into a folder that held none of its
//     keys (see claims.go); verification streams bodies through the hash;
//     what is held per message is its listing (56 bytes: UID, size, a
//     shared flag list, date), dropped once its folder is verified.
//
// Plan and Run block until done or until ctx ends; a Run stopped by ctx
// leaves a journal the next Run continues from. Nothing here is safe for
// concurrent use of one Plan by two Runs against the same journal.
//
// This package words nothing for people: Report, Progress and the typed
// errors carry codes that package ui turns into sentences.
package migrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/magpie-mail/magpie/account"
)

// SpoolLimit is the largest body kept in memory; larger ones go to a
// temporary file while they are copied.
const SpoolLimit = 1 << 20

// Side is one end of a migration: an account and how to connect to it.
// Dialer is used again whenever a connection must be re-established.
type Side struct {
	Account account.Account
	Dialer  *account.Dialer
}

// ID names the side's mailbox independently of the user's short account
// name: login@host:port of its IMAP server, or "pop3:login@host:port"
// for a POP3 source. It keys the journal.
func (s Side) ID() string {
	if s.isPOP3() {
		return fmt.Sprintf("pop3:%s@%s:%d", s.Account.LoginName(), s.Account.POP3.Host, s.Account.POP3.Port)
	}
	return fmt.Sprintf("%s@%s:%d", s.Account.LoginName(), s.Account.IMAP.Host, s.Account.IMAP.Port)
}

// isPOP3 reports whether the side is read over POP3 (RFC 1939): an
// account with a POP3 server and no IMAP server.
func (s Side) isPOP3() bool { return s.Account.IMAP.IsZero() && !s.Account.POP3.IsZero() }

func (s Side) dial(ctx context.Context) (*account.IMAPClient, error) {
	if s.Dialer == nil {
		return nil, errors.New("migrate: side has no dialer")
	}
	return bufferedDialer(s.Dialer, s.Account).DialIMAP(ctx, s.Account, nil)
}

// Options select what is migrated and tune a run. Plan uses Folders,
// Exclude and Since (and records them in the Plan); Run uses the rest.
type Options struct {
	// Folders are globs (path.Match syntax, "/" between levels, whatever
	// the server's delimiter) of source folders to include; none means all.
	Folders []string
	// Exclude are globs of source folders to leave out; they win over
	// Folders.
	Exclude []string
	// Since, when set, limits the migration to messages whose INTERNALDATE
	// is on or after that day (IMAP SEARCH SINCE, RFC 3501 §6.4.4).
	Since time.Time

	// JournalDir is where journals and reports are kept, normally
	// $XDG_DATA_HOME/magpie/migrate. Run requires it.
	JournalDir string
	// Progress, when set, receives a Progress after each message and at
	// each folder's start and end. Sends block (bounded by ctx), so the
	// receiver must keep reading until Run returns.
	Progress chan<- Progress
	// Retries is how often a transient failure (connection lost, timeout,
	// BYE, [UNAVAILABLE]) is retried after reconnecting; 0 means 5.
	Retries int
	// Backoff is the first wait before a retry, doubled each time up to
	// 30 s; 0 means one second.
	Backoff time.Duration
	// Now is the clock for the report; nil means time.Now.
	Now func() time.Time
	// Jobs is how many workers copy at once, each with one connection
	// per side (to a destination offering MULTIAPPEND, RFC 3502, the
	// appender's while it copies); 0 means 4. It is bounded by both
	// accounts' connection budgets (account.Account.Connections).
	Jobs int
	// Batch is how many messages a worker fetches and appends at once
	// (within batchBytes of bodies in memory); 0 means 250: with
	// MULTIAPPEND a batch is one transaction on the destination.
	Batch int
	// Gate, when set, is waited at by every worker before each batch and
	// before each folder's catch-up and verification (see Gate): the way
	// to pause and resume a Run without losing anything.
	// The Run counts as parked once all its workers are. With a Gate the
	// first batches of each folder are small (1, 2, 4… messages), so
	// that a pause comes at once.
	Gate *Gate

	// verifyChunk is how many destination messages one part of a
	// folder's verification reads back at most; 0 means
	// defaultVerifyChunk (tests make it small).
	verifyChunk int
	// listWindow is about how many messages one window of a folder's
	// listing holds (see window.go); 0 means defaultListWindow.
	listWindow int
}

func (o Options) window() int {
	if o.listWindow <= 0 {
		return defaultListWindow
	}
	return o.listWindow
}

func (o Options) chunk() int {
	if o.verifyChunk <= 0 {
		return defaultVerifyChunk
	}
	return o.verifyChunk
}

func (o Options) jobs(p Plan) int {
	n := o.Jobs
	if n <= 0 {
		n = 4
	}
	return max(1, min(n, p.Source.Account.Connections(), p.Dest.Account.Connections()))
}

func (o Options) batch() int {
	if o.Batch <= 0 {
		return 250
	}
	return o.Batch
}

func (o Options) retries() int {
	if o.Retries <= 0 {
		return 5
	}
	return o.Retries
}

func (o Options) backoff() time.Duration {
	if o.Backoff <= 0 {
		return time.Second
	}
	return o.Backoff
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// JournalPath is the journal file of a source/destination pair inside dir:
// "<src>→<dst>.db" with characters unsafe in file names replaced.
func JournalPath(dir string, src, dst Side) string {
	return filepath.Join(dir, safeFileName(src.ID())+"→"+safeFileName(dst.ID())+".db")
}

// ReportPath is where Run saves the report as JSON, next to the journal.
func ReportPath(dir string, src, dst Side) string {
	return strings.TrimSuffix(JournalPath(dir, src, dst), ".db") + ".report.json"
}

func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("@.+-_", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// Phase is what Run is doing in a folder.
type Phase string

const (
	PhaseScan   Phase = "scan"   // listing the source folder
	PhaseCopy   Phase = "copy"   // copying messages
	PhaseVerify Phase = "verify" // comparing source and destination
	PhaseDone   Phase = "done"   // the folder is finished
	// PhaseCopied is the run's, not a folder's: sent once, when every
	// message in scope is on the destination (every folder's catch-up
	// pass included). The folders copied first may be verified by then
	// (see Run); the others' verification follows. Its Folder and Dest
	// are empty and its counts the run's totals.
	PhaseCopied Phase = "copied"
)

// Progress is a snapshot of one folder's migration (or, with
// PhaseCopied, of the whole run's).
type Progress struct {
	Folder string // source folder, decoded, "/" between levels; "" for PhaseCopied
	Dest   string // destination folder, decoded, the server's delimiter
	Phase  Phase
	Total  int // messages in scope on the source
	// Done counts messages decided so far this run: Copied + Already +
	// Failed + those the journal already had as done.
	Done    int
	Copied  int
	Already int
	Failed  int
}

// readBuffered is a connection read through a 64 KB buffer: go-imap
// reads through 4 KB, one system call each on a plaintext connection,
// where bodies are megabytes.
type readBuffered struct {
	net.Conn
	br *bufio.Reader
}

func (c *readBuffered) Read(p []byte) (int, error) { return c.br.Read(p) }

// bufferedDialer is d dialling connections read through readBuffered,
// but for STARTTLS (RFC 3501 §6.2.1), where no byte of the plaintext
// phase may be read ahead of the upgrade.
func bufferedDialer(d *account.Dialer, a account.Account) *account.Dialer {
	if a.IMAP.Security == account.SecuritySTARTTLS {
		return d
	}
	bd := *d
	next := d.NetDial
	bd.NetDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		if next != nil {
			c, err = next(ctx, network, addr)
		} else {
			var nd net.Dialer
			c, err = nd.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		return &readBuffered{Conn: c, br: bufio.NewReaderSize(c, 64<<10)}, nil
	}
	return &bd
}
