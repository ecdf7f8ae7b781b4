package migrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
)

// RenameReason says why a folder's destination name is not its source
// name carried over level by level.
type RenameReason string

const (
	RenameNone      RenameReason = ""
	RenameDelimiter RenameReason = "delimiter" // a level held the destination's delimiter
	RenameCollision RenameReason = "collision" // another folder already maps to the name
	RenameRefused   RenameReason = "refused"   // the destination refused to create the name
)

// FolderPlan is one source folder and where its mail goes.
type FolderPlan struct {
	// Source is the source mailbox's name (decoded from modified UTF-7,
	// RFC 3501 §5.1.3, with the source's delimiter).
	Source string
	// Path is Source with "/" between levels: what globs match and what is
	// shown.
	Path string
	// Dest is the destination mailbox's name (decoded, the destination's
	// delimiter). Run may change it when the destination refuses it.
	Dest string
	// Role is the folder's special use (RFC 6154) or name-derived role;
	// a role folder goes to the destination's folder of the same role.
	Role       account.Role
	DestExists bool
	Renamed    RenameReason
	// Unchanged says a run verified the folder and neither side changed
	// since (see FolderReport.Unchanged): nothing is pending.
	Unchanged bool
	Messages  int   // in scope (after Since)
	Size      int64 // bytes in scope (RFC822.SIZE)
	// Pending and PendingSize are what is left to copy: the messages in
	// scope that the journal does not have as settled.
	Pending     int
	PendingSize int64

	// scan is the first window of the listing NewPlan made; Run uses it
	// instead of listing it again when it is recent and UIDVALIDITY has
	// not changed.
	scan *folderScan
}

// Plan is what a migration will do. It holds no connection: Run dials
// again, so a Plan can be shown, kept and run later.
type Plan struct {
	Source, Dest Side
	// Options are the selection the plan was made with (Folders, Exclude,
	// Since); Run applies Since again to catch mail that arrived since.
	Options    Options
	SrcDelim   rune
	DstDelim   rune
	Folders    []FolderPlan
	TotalCount int
	TotalSize  int64
	// PendingCount and PendingSize sum the folders' Pending figures.
	PendingCount int
	PendingSize  int64
	// Quota is the destination's quota when it tells (QUOTA, RFC 9208);
	// nil otherwise. Quota.Fits says whether what is pending fits.
	Quota *Quota
	// Made is when the plan was made.
	Made time.Time
}

// scanMaxAge is how long Run trusts the window NewPlan listed: mail that
// arrived since is caught by the catch-up pass either way.
const scanMaxAge = 10 * time.Minute

// planKeep is how many windows' worth of messages a plan keeps for Run
// at most, all folders together (see scanFolder).
const planKeep = 2

// unchangedMaxAge is how long Run trusts the plan's finding of which
// folders are unchanged since verified (see unchanged.go) instead of
// asking both sides again: a plan made by the same command a moment
// before is as good as a STATUS now, and mail arriving a moment later is
// for the next run either way, as it is after any run's last STATUS.
const unchangedMaxAge = 5 * time.Second

// ErrSinceWithPOP3 means Since was asked of a POP3 source, which cannot
// search by date.
var ErrSinceWithPOP3 = errors.New("migrate: a POP3 source cannot be limited by date")

// ErrDestNotIMAP means the destination account has no IMAP server (a
// POP3 maildrop can only be read from).
var ErrDestNotIMAP = errors.New("migrate: the destination has no IMAP server")

// ErrBadGlob means a --folders or --exclude pattern is malformed.
var ErrBadGlob = errors.New("migrate: bad folder pattern")

// CheckGlobs reports the first malformed pattern (path.Match syntax).
func CheckGlobs(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%w: %q", ErrBadGlob, p)
		}
	}
	return nil
}

// matchTree reports whether a pattern matches p or one of its ancestors,
// so that "客户邮件" selects "客户邮件/2024" too.
func matchTree(patterns []string, p string) bool {
	parts := strings.Split(p, "/")
	for i := len(parts); i > 0; i-- {
		prefix := strings.Join(parts[:i], "/")
		for _, pat := range patterns {
			if ok, _ := path.Match(pat, prefix); ok {
				return true
			}
		}
	}
	return false
}

// NewPlan connects to both sides (one connection each), lists their folders,
// maps every selected source folder to a destination folder and counts the
// messages and bytes in scope, and those pending. It changes nothing on
// either side. Each folder is listed window by window (see window.go) and
// only counted: the plan keeps the first window of each, for Run, and
// holds nothing that grows with the folder.
func NewPlan(ctx context.Context, src, dst Side, opts Options) (Plan, error) {
	if err := CheckGlobs(append(slices.Clone(opts.Folders), opts.Exclude...)); err != nil {
		return Plan{}, err
	}
	p := Plan{Source: src, Dest: dst, Options: opts}
	if src.isPOP3() && !opts.Since.IsZero() {
		return p, ErrSinceWithPOP3
	}
	if dst.Account.IMAP.IsZero() {
		return p, ErrDestNotIMAP
	}
	var j *Journal
	if opts.JournalDir != "" {
		path := JournalPath(opts.JournalDir, src, dst)
		if _, err := os.Stat(path); err == nil {
			if j, err = OpenJournal(ctx, path, src.ID(), dst.ID()); err != nil {
				return p, err
			}
			defer j.Close()
		}
	}
	sc := newSource(src, j)
	defer sc.logout()
	srcList, err := sc.folders(ctx)
	if err != nil {
		if isConnErr(err) {
			return p, err
		}
		return p, fmt.Errorf("migrate: list source: %w", err)
	}
	dc, err := dst.dial(ctx)
	if err != nil {
		return p, &ConnError{Side: SideDest, Err: err}
	}
	defer dc.Close()
	dstList, err := dc.List("", "*", nil).Collect()
	if err != nil {
		return p, fmt.Errorf("migrate: list destination: %w", err)
	}
	p.SrcDelim, p.DstDelim = delimOf(srcList), delimOf(dstList)
	p.Folders = mapFolders(srcList, dstList, p.SrcDelim, p.DstDelim, opts)
	p.Made = opts.now()
	scans := make([]folderScan, len(p.Folders))
	dests := map[string]string{}
	for _, f := range p.Folders {
		if f.DestExists {
			dests[f.Source] = f.Dest
		}
	}
	unchanged := unchangedFolders(ctx, j, sc, dc.Client, dests, opts.Since)
	keep := planKeep * opts.window() // messages of first windows kept for Run
	for i := range p.Folders {
		f := &p.Folders[i]
		if st, ok := unchanged[f.Source]; ok {
			// Verified before and unchanged since: not listed (Run checks
			// again before it skips the folder).
			f.Unchanged, f.Messages, f.Size = true, st.SourceCount, st.SourceSize
			scans[i] = folderScan{uidValidity: st.Src.UIDValidity, unchanged: true, state: &st, at: p.Made}
			f.scan = &scans[i]
			p.TotalCount += f.Messages
			p.TotalSize += f.Size
			continue
		}
		view, err := sc.examine(ctx, f.Source)
		if err != nil {
			return p, err
		}
		scans[i] = folderScan{uidValidity: view.UIDValidity, at: p.Made}
		if err := scanFolder(ctx, sc, j, f, view, opts, &scans[i], &keep); err != nil {
			return p, err
		}
		if !src.isPOP3() || j != nil { // without a journal POP3 UIDs are this plan's own
			f.scan = &scans[i]
		}
		p.TotalCount += f.Messages
		p.TotalSize += f.Size
		p.PendingCount += f.Pending
		p.PendingSize += f.PendingSize
	}
	if q := destQuota(dc.Client); q != nil {
		q.NeedBytes, q.NeedMessages = p.PendingSize, p.PendingCount
		p.Quota = q
	}
	return p, nil
}

func delimOf(list []*imap.ListData) rune {
	for _, l := range list {
		if l.Delim != 0 {
			return l.Delim
		}
	}
	return '/'
}

func selectable(l *imap.ListData) bool {
	for _, a := range l.Attrs {
		if a == imap.MailboxAttrNoSelect || a == imap.MailboxAttrNonExistent {
			return false
		}
	}
	return true
}

// attrRole is the role from special-use attributes alone.
func attrRole(l *imap.ListData) account.Role {
	if strings.EqualFold(l.Mailbox, "INBOX") {
		return account.RoleInbox
	}
	return account.FolderRole("\x00", 0, l.Attrs)
}

// mapFolders decides each selected source folder's destination:
//   - INBOX to INBOX;
//   - one source folder per role (attributes first, then names) to the
//     destination's folder of that role, whatever its name;
//   - every other folder to the same levels joined with the destination's
//     delimiter, a level holding that delimiter getting "_" in its place.
func mapFolders(srcList, dstList []*imap.ListData, sd, dd rune, opts Options) []FolderPlan {
	dstNames := map[string]bool{}
	dstRole := map[account.Role]string{}
	for _, pass := range []bool{true, false} { // special-use attributes win over names
		for _, l := range dstList {
			dstNames[l.Mailbox] = true
			if !selectable(l) {
				continue
			}
			r := attrRole(l)
			if !pass && r == account.RoleNone {
				r = account.FolderRole(l.Mailbox, l.Delim, nil)
			}
			if r != account.RoleNone && dstRole[r] == "" {
				dstRole[r] = l.Mailbox
			}
		}
	}
	var sel []*imap.ListData
	for _, l := range srcList {
		if !selectable(l) {
			continue
		}
		p := toPath(l.Mailbox, sd)
		if len(opts.Folders) > 0 && !matchTree(opts.Folders, p) {
			continue
		}
		if matchTree(opts.Exclude, p) {
			continue
		}
		sel = append(sel, l)
	}
	slices.SortStableFunc(sel, func(a, b *imap.ListData) int { return strings.Compare(a.Mailbox, b.Mailbox) })
	// Pick the one source folder per role: by attribute first, then by name.
	roleOf := map[string]account.Role{}
	taken := map[account.Role]bool{}
	for _, pass := range []bool{true, false} {
		for _, l := range sel {
			if _, ok := roleOf[l.Mailbox]; ok {
				continue
			}
			r := attrRole(l)
			if !pass && r == account.RoleNone {
				r = account.FolderRole(l.Mailbox, sd, nil)
			}
			if r != account.RoleNone && !taken[r] {
				taken[r] = true
				roleOf[l.Mailbox] = r
			}
		}
	}
	used := map[string]bool{}
	var out []FolderPlan
	for _, l := range sel {
		f := FolderPlan{Source: l.Mailbox, Path: toPath(l.Mailbox, sd), Role: roleOf[l.Mailbox]}
		switch {
		case f.Role == account.RoleInbox:
			f.Dest = "INBOX"
		case f.Role != account.RoleNone && dstRole[f.Role] != "":
			f.Dest = dstRole[f.Role]
		default:
			f.Dest, f.Renamed = joinLevels(splitLevels(l.Mailbox, sd), dd)
		}
		if used[f.Dest] {
			base := f.Dest
			for n := 2; used[f.Dest]; n++ {
				f.Dest = fmt.Sprintf("%s (%d)", base, n)
			}
			f.Renamed = RenameCollision
		}
		used[f.Dest] = true
		f.DestExists = dstNames[f.Dest]
		out = append(out, f)
	}
	return out
}

func splitLevels(name string, delim rune) []string {
	if delim == 0 {
		return []string{name}
	}
	return strings.Split(name, string(delim))
}

func toPath(name string, delim rune) string { return strings.Join(splitLevels(name, delim), "/") }

// joinLevels joins levels with the destination's delimiter, replacing it
// inside a level.
func joinLevels(levels []string, delim rune) (string, RenameReason) {
	why := RenameNone
	if delim == 0 {
		return strings.Join(levels, "/"), why
	}
	out := make([]string, len(levels))
	for i, l := range levels {
		if strings.ContainsRune(l, delim) {
			l = strings.ReplaceAll(l, string(delim), "_")
			why = RenameDelimiter
		}
		out[i] = l
	}
	return strings.Join(out, string(delim)), why
}

// safeName is the fallback for a name the destination refused: every
// character but letters, digits, space, '-', '_', '.' (and the delimiter)
// becomes '_', with a "Migrated" prefix when nothing is left.
func safeName(name string, delim rune) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == delim, r == ' ', r == '-', r == '_', r == '.',
			r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= 0x4e00 && r <= 0x9fff:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), " .")
	if s == "" || strings.Trim(s, "_") == "" {
		s = "Migrated" + s
	}
	return s
}
