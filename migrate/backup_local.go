package migrate

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/message"
)

// localArchive is a directory of Maildirs or mbox files.
type localArchive struct {
	dir    string
	format Format
	used   map[string]bool // folder paths handed out, so two folders never share one
}

func openArchive(dir string, f Format) (*localArchive, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("migrate: archive: %w", err)
	}
	return &localArchive{dir: dir, format: f, used: map[string]bool{}}, nil
}

// path makes the directories for levels (each made safe, each checked not
// to lead out of the archive through a symbolic link) and returns the
// last level's path and its name relative to the archive.
func (a *localArchive) path(levels []string) (string, string, error) {
	safe := safeLevels(levels, a.format == FormatMaildir)
	rel := strings.Join(safe, "/")
	for n := 2; a.used[rel]; n++ {
		safe[len(safe)-1] = strings.TrimSuffix(safe[len(safe)-1], fmt.Sprintf(" (%d)", n-1)) + fmt.Sprintf(" (%d)", n)
		rel = strings.Join(safe, "/")
	}
	a.used[rel] = true
	dir := a.dir
	for i, l := range safe {
		if a.format == FormatMbox && i == len(safe)-1 {
			l += ".mbox"
		}
		p, err := message.SafeJoin(dir, l)
		if err != nil {
			return "", "", fmt.Errorf("migrate: archive: %w", err)
		}
		if i < len(safe)-1 || a.format == FormatMaildir {
			if err := os.Mkdir(p, 0o700); err != nil && !os.IsExist(err) {
				return "", "", fmt.Errorf("migrate: archive: %w", err)
			}
		}
		dir = p
	}
	return dir, rel, nil
}

func (a *localArchive) folder(levels []string) (archiveFolder, error) {
	p, rel, err := a.path(levels)
	if err != nil {
		return nil, err
	}
	if a.format == FormatMbox {
		return openMbox(p, rel+".mbox")
	}
	return openMaildir(p, rel)
}

// maildirFolder is one Maildir (cur, new, tmp). Messages are named
// "<INTERNALDATE>.<archiveKey>.magpie:2,<flags>": the key finds a message
// again after a crash, the info carries the flags Maildir knows (D, F, P,
// R, S, T), and the file's modification time is the INTERNALDATE.
type maildirFolder struct {
	dir, rel string
	keys     keySet
	drop     map[string]bool
}

func openMaildir(dir, rel string) (*maildirFolder, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil && !os.IsExist(err) {
			return nil, fmt.Errorf("migrate: archive: %w", err)
		}
	}
	m := &maildirFolder{dir: dir, rel: rel, drop: map[string]bool{}}
	for _, sub := range []string{"cur", "new"} {
		d, err := os.Open(filepath.Join(dir, sub))
		if err != nil {
			return nil, fmt.Errorf("migrate: archive: %w", err)
		}
		err = eachRegular(d, func(n string) error {
			if k, ok := maildirKey(n); ok {
				m.keys.add(k)
			}
			return nil
		})
		d.Close()
		if err != nil {
			return nil, err
		}
	}
	return m, nil
}

func readNames(dir string) ([]string, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("migrate: archive: %w", err)
	}
	var out []string
	for _, e := range es {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func maildirKey(name string) (string, bool) {
	base, _, _ := strings.Cut(name, ":")
	parts := strings.Split(base, ".")
	if len(parts) != 3 || parts[2] != "magpie" {
		return "", false
	}
	return parts[1], true
}

func (m *maildirFolder) name() string        { return m.rel }
func (m *maildirFolder) has(key string) bool { return m.keys.has(key) }
func (m *maildirFolder) close() error        { return nil }
func (m *maildirFolder) commit(j *Journal, entries []Entry) error {
	if err := syncDir(filepath.Join(m.dir, "cur")); err != nil {
		return err
	}
	return j.PutAll(context.Background(), entries)
}

// recover removes what an interrupted run left in tmp; in-flight entries
// need nothing else, the key tells whether their file made it to cur.
func (m *maildirFolder) recover(*Journal, []Entry) error {
	names, err := readNames(filepath.Join(m.dir, "tmp"))
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, ok := maildirKey(n); ok {
			os.Remove(filepath.Join(m.dir, "tmp", n))
		}
	}
	return nil
}

// maildirFlags are the flags a Maildir info carries, in the order the
// info lists them (ASCII).
var maildirFlags = []struct {
	flag imap.Flag
	c    byte
}{{imap.FlagDraft, 'D'}, {imap.FlagFlagged, 'F'}, {"$Forwarded", 'P'}, {imap.FlagAnswered, 'R'}, {imap.FlagSeen, 'S'}, {imap.FlagDeleted, 'T'}}

func (m *maildirFolder) info(flags []imap.Flag) string {
	var b []byte
	for _, mf := range maildirFlags {
		if slices.ContainsFunc(flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(mf.flag)) }) {
			b = append(b, mf.c)
		}
	}
	for _, f := range flags {
		known := strings.EqualFold(string(f), `\Recent`) || slices.ContainsFunc(maildirFlags, func(mf struct {
			flag imap.Flag
			c    byte
		}) bool {
			return strings.EqualFold(string(f), string(mf.flag))
		})
		if !known {
			m.drop[string(f)] = true
		}
	}
	return string(b)
}

func (m *maildirFolder) store(key string, msg srcMsg, sp *spool) error {
	base := strconv.FormatInt(msg.Date().Unix(), 10) + "." + key + ".magpie"
	tmp := filepath.Join(m.dir, "tmp", base)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, sp.reader())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !msg.Date().IsZero() {
		err = os.Chtimes(tmp, msg.Date(), msg.Date())
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(m.dir, "cur", base+":2,"+m.info(msg.Flags())))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	m.keys.add(key)
	return nil
}

// eachHash hashes every message file of cur and new, reading the
// directories a few hundred names at a time: nothing per message is
// kept.
func (m *maildirFolder) eachHash(fn func([32]byte) error) error {
	for _, sub := range []string{"cur", "new"} {
		d, err := os.Open(filepath.Join(m.dir, sub))
		if err != nil {
			return fmt.Errorf("migrate: archive: %w", err)
		}
		err = eachRegular(d, func(name string) error {
			h, err := hashFile(filepath.Join(m.dir, sub, name))
			if err != nil {
				return err
			}
			return fn(h)
		})
		d.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// eachRegular calls fn with the name of every regular file of the open
// directory d, in the directory's order, 256 names at a time.
func eachRegular(d *os.File, fn func(string) error) error {
	for {
		es, err := d.ReadDir(256)
		for _, e := range es {
			if !e.Type().IsRegular() {
				continue
			}
			if err := fn(e.Name()); err != nil {
				return err
			}
		}
		if err == io.EOF || (err == nil && len(es) == 0) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("migrate: archive: %w", err)
		}
	}
}

func (m *maildirFolder) dropped() []string {
	var out []string
	for k := range m.drop {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func hashFile(path string) ([32]byte, error) {
	var sum [32]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, err
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// mboxFolder is one mboxrd file: each message is preceded by a
// "From magpie-<archiveKey>@localhost <INTERNALDATE>" line (the envelope
// sender names the message, so it is found again after a crash) and
// followed by an empty line, and any of its lines matching ">*From " gets
// one more '>' (undone when read back). The file's committed size is kept
// in the journal with the entries it settles, so an interrupted append is
// cut off on the next run.
type mboxFolder struct {
	path, rel string
	f         *os.File
	keys      keySet
}

func openMbox(path, rel string) (*mboxFolder, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("migrate: archive: %w", err)
	}
	return &mboxFolder{path: path, rel: rel, f: f}, nil
}

func (m *mboxFolder) name() string        { return m.rel }
func (m *mboxFolder) has(key string) bool { return m.keys.has(key) }
func (m *mboxFolder) dropped() []string   { return nil }
func (m *mboxFolder) close() error        { return m.f.Close() }
func (m *mboxFolder) metaKey() string     { return "mbox-size:" + m.rel }
func (m *mboxFolder) commit(j *Journal, entries []Entry) error {
	if err := m.f.Sync(); err != nil {
		return err
	}
	end, err := m.f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	return j.PutAllMeta(context.Background(), entries, m.metaKey(), strconv.FormatInt(end, 10))
}

// recover cuts the file back to the size the journal last committed:
// what lies beyond was written for entries still in flight.
func (m *mboxFolder) recover(j *Journal, _ []Entry) error {
	v, err := j.Meta(context.Background(), m.metaKey())
	if err != nil {
		return err
	}
	size, _ := strconv.ParseInt(v, 10, 64)
	fi, err := m.f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() > size {
		if err := m.f.Truncate(size); err != nil {
			return fmt.Errorf("migrate: archive %s: %w", m.rel, err)
		}
	}
	if _, err := m.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := readMbox(m.f, func(from []byte, _ [32]byte) error {
		if f := strings.Fields(string(from)); len(f) > 1 && strings.HasPrefix(f[1], "magpie-") {
			m.keys.add(strings.TrimSuffix(strings.TrimPrefix(f[1], "magpie-"), "@localhost"))
		}
		return nil
	}); err != nil {
		return err
	}
	_, err = m.f.Seek(0, io.SeekEnd)
	return err
}

func (m *mboxFolder) store(key string, msg srcMsg, sp *spool) error {
	w := bufio.NewWriterSize(m.f, 64<<10)
	date := msg.Date().UTC().Format("Mon Jan _2 15:04:05 2006")
	if msg.Date().IsZero() {
		date = "Thu Jan  1 00:00:00 1970"
	}
	eol := "\n"
	br := bufio.NewReaderSize(sp.reader(), 32<<10)
	if first, _ := br.Peek(4096); bytes.Contains(first, []byte("\r\n")) {
		eol = "\r\n"
	}
	fmt.Fprintf(w, "From magpie-%s@localhost %s%s", key, date, eol)
	last := byte('\n')
	start := true // at the start of a line
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if start && isFromLine(line) {
				w.WriteByte('>')
			}
			w.Write(line)
			last = line[len(line)-1]
			start = last == '\n'
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if last != '\n' {
		w.WriteString(eol) // an mbox message ends with a line break
	}
	w.WriteString(eol)
	if err := w.Flush(); err != nil {
		return err
	}
	m.keys.add(key)
	return nil
}

// isFromLine reports whether line is ">*From " (mboxrd quoting).
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// eachHash reads the file back (see readMbox), in the order the
// messages were appended.
func (m *mboxFolder) eachHash(fn func([32]byte) error) error {
	f, err := os.Open(m.path)
	if err != nil {
		return err
	}
	defer f.Close()
	return readMbox(f, func(_ []byte, h [32]byte) error { return fn(h) })
}

// readMbox splits an mboxrd stream into messages at "From " lines after
// an empty line, drops each one's separating empty line and one '>' from
// every ">+From " line, and calls fn with each "From " line and the
// message's SHA-256; an error of fn stops it.
func readMbox(r io.Reader, fn func(from []byte, sum [32]byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	h := sha256.New()
	var from, pending []byte // pending: the last line, held back in case it is the separator
	in := false
	prevBlank := true
	flush := func() error {
		if !in {
			return nil
		}
		if len(bytes.TrimRight(pending, "\r\n")) != 0 {
			h.Write(pending) // not an empty line: the message's own
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		h.Reset()
		pending = nil
		return fn(from, sum)
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if prevBlank && bytes.HasPrefix(line, []byte("From ")) {
				if err := flush(); err != nil {
					return err
				}
				in, from = true, bytes.TrimRight(line, "\r\n")
			} else {
				h.Write(pending)
				if bytes.HasPrefix(line, []byte(">")) && isFromLine(line) {
					line = line[1:]
				}
				pending = line
			}
			prevBlank = len(bytes.TrimRight(line, "\r\n")) == 0
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return flush()
}

// keySet is the archive keys (see archiveKey) a folder holds, each kept
// as 16 bytes rather than as its string: the one thing a backup holds
// per message of a folder.
type keySet struct {
	refs  map[keyRef]struct{}
	other map[string]struct{} // a key not of archiveKey's form
}

// keyRef is an archive key's UIDVALIDITY, UID and hash prefix.
type keyRef struct {
	uidv, uid uint32
	h         [6]byte
}

// parseKey is the keyRef of key when key is of archiveKey's form.
func parseKey(key string) (keyRef, bool) {
	var r keyRef
	a, rest, ok1 := strings.Cut(key, "_")
	b, hx, ok2 := strings.Cut(rest, "_")
	if !ok1 || !ok2 || len(hx) != 2*len(r.h) {
		return r, false
	}
	uidv, err1 := strconv.ParseUint(a, 10, 32)
	uid, err2 := strconv.ParseUint(b, 10, 32)
	if _, err := hex.Decode(r.h[:], []byte(hx)); err != nil || err1 != nil || err2 != nil ||
		strconv.FormatUint(uidv, 10) != a || strconv.FormatUint(uid, 10) != b || hex.EncodeToString(r.h[:]) != hx {
		return r, false // not the one spelling archiveKey writes
	}
	r.uidv, r.uid = uint32(uidv), uint32(uid)
	return r, true
}

func (k *keySet) add(key string) {
	if r, ok := parseKey(key); ok {
		if k.refs == nil {
			k.refs = map[keyRef]struct{}{}
		}
		k.refs[r] = struct{}{}
		return
	}
	if k.other == nil {
		k.other = map[string]struct{}{}
	}
	k.other[key] = struct{}{}
}

func (k *keySet) has(key string) bool {
	if r, ok := parseKey(key); ok {
		_, in := k.refs[r]
		return in
	}
	_, in := k.other[key]
	return in
}
