package migrate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// archiveSums reads every message of a local archive folder.
func archiveSums(t *testing.T, af archiveFolder) map[[32]byte]int {
	t.Helper()
	out := map[[32]byte]int{}
	if err := af.eachHash(func(h [32]byte) error { out[h]++; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func sums(ms []msgState) map[[32]byte]int {
	out := map[[32]byte]int{}
	for _, m := range ms {
		out[m.sum]++
	}
	return out
}

// mboxTricky has lines an mbox must quote (and one already quoted).
const mboxTricky = "From: a@example.test\r\nSubject: From lines\r\nMessage-ID: <from-lines@example.test>\r\n\r\nFrom here on\r\n\r\nFrom the start\r\n>From quoted\r\n>>From twice\r\n\r\n"

func TestBackupMaildirAndMbox(t *testing.T) {
	d := testenv.Dovecot(t)
	su := d.NewUser(t)
	src := dovecotSide(t, d, su)
	upload(t, src, corpus.Options{Seed: 12, Messages: 150, LargeEvery: 75, Malformed: true})
	d.Deliver(t, su.Email, []byte(mboxTricky))
	d.WaitMessage(t, su.Email, "INBOX", "from-lines@example.test")
	before := snapshot(t, src)
	for _, format := range []Format{FormatMaildir, FormatMbox} {
		t.Run(string(format), func(t *testing.T) {
			dir, jdir := t.TempDir(), t.TempDir()
			// Small windows and verification parts: a folder is listed,
			// and verified against the archive, in several of each.
			opts := Options{JournalDir: jdir, listWindow: 13, verifyChunk: 7}
			rep, err := Backup(context.Background(), src, dir, format, opts)
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for _, ms := range before {
				total += len(ms)
			}
			if tot := rep.Totals(); !rep.Verified() || tot.Copied != total || tot.Extra != 0 {
				t.Fatalf("verified=%v %+v", rep.Verified(), tot)
			}
			ar, _ := openArchive(dir, format)
			for name, ms := range before {
				af, err := ar.folder(strings.Split(name, "/"))
				if err != nil {
					t.Fatal(err)
				}
				if got, want := archiveSums(t, af), sums(ms); !mapsEqual(got, want) {
					t.Errorf("%s: archive holds %d distinct, source %d", name, len(got), len(want))
				}
				af.close()
			}
			if format == FormatMaildir {
				checkMaildirFlagsAndDates(t, dir, before["INBOX"])
			}
			sameSnapshot(t, before, snapshot(t, src))

			// A re-run adds nothing.
			rep, err = Backup(context.Background(), src, dir, format, opts)
			if tot := rep.Totals(); err != nil || !rep.Verified() || tot.Copied != 0 || tot.Previously != total {
				t.Fatalf("re-run: %v verified=%v %+v", err, rep.Verified(), tot)
			}

			// A crash mid-write: the journal says in flight for one
			// message (and, for mbox, half a message trails the file).
			j, err := OpenJournal(context.Background(), BackupJournalPath(jdir, src, dir, format), src.ID(), archiveID(dir, format))
			if err != nil {
				t.Fatal(err)
			}
			uidv, err := selectUIDValidity(t, src, "INBOX")
			if err != nil {
				t.Fatal(err)
			}
			entries, _ := j.Folder(context.Background(), "INBOX", uidv)
			if len(entries) == 0 {
				t.Fatal("no journal entries for INBOX")
			}
			var e Entry
			for _, x := range entries {
				e = x
				break
			}
			e.Outcome = OutcomeInFlight
			if err := j.Put(context.Background(), e); err != nil {
				t.Fatal(err)
			}
			j.Close()
			if format == FormatMbox {
				f, _ := os.OpenFile(filepath.Join(dir, "INBOX.mbox"), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\r\nSubject: half")
				f.Close()
			}
			rep, err = Backup(context.Background(), src, dir, format, opts)
			if tot := rep.Totals(); err != nil || !rep.Verified() || tot.Copied+tot.Already != 1 || tot.Extra != 0 {
				t.Fatalf("after a crash: %v verified=%v %+v", err, rep.Verified(), tot)
			}
			if format != FormatMaildir {
				return
			}
			// A message lost from the archive (the journal still has it
			// stored) is found missing by the verification, none extra.
			names, err := readNames(filepath.Join(dir, "INBOX", "cur"))
			if err != nil || len(names) == 0 {
				t.Fatalf("INBOX/cur: %v", err)
			}
			if err := os.Remove(filepath.Join(dir, "INBOX", "cur", names[len(names)/2])); err != nil {
				t.Fatal(err)
			}
			rep, err = Backup(context.Background(), src, dir, format, opts)
			if tot := rep.Totals(); err != nil || rep.Verified() || tot.Missing != 1 || tot.Extra != 0 || tot.Copied != 0 {
				t.Fatalf("a file lost: %v verified=%v %+v", err, rep.Verified(), tot)
			}
		})
	}
}

func mapsEqual(a, b map[[32]byte]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func selectUIDValidity(t *testing.T, s Side, mailbox string) (uint32, error) {
	t.Helper()
	c := dial(t, s)
	defer func() { c.Logout().Wait() }()
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		return 0, err
	}
	return sel.UIDValidity, nil
}

// Maildir files carry the flags in their info and the INTERNALDATE as
// their modification time.
func checkMaildirFlagsAndDates(t *testing.T, dir string, inbox []msgState) {
	t.Helper()
	names, err := readNames(filepath.Join(dir, "INBOX", "cur"))
	if err != nil || len(names) != len(inbox) {
		t.Fatalf("INBOX/cur: %d files, want %d (%v)", len(names), len(inbox), err)
	}
	want := map[string]int{} // "hash info date"
	for _, m := range inbox {
		info := ""
		for _, mf := range maildirFlags {
			if slices.Contains(strings.Fields(m.flags), strings.ToLower(string(mf.flag))) {
				info += string(mf.c)
			}
		}
		want[string(m.sum[:])+" "+info+" "+time.Unix(m.date, 0).UTC().String()]++
	}
	for _, n := range names {
		p := filepath.Join(dir, "INBOX", "cur", n)
		h, _ := hashFile(p)
		fi, _ := os.Stat(p)
		_, info, _ := strings.Cut(n, ":2,")
		want[string(h[:])+" "+info+" "+fi.ModTime().UTC().Truncate(time.Second).String()]--
	}
	for k, n := range want {
		if n != 0 {
			t.Errorf("maildir file mismatch (%+d): info/date %q", n, k[33:])
		}
	}
}

// Folder names from the server never lead out of the archive.
func TestArchiveFolderNamesStayInside(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(filepath.Dir(dir), "escaped")
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for _, format := range []Format{FormatMaildir, FormatMbox} {
		ar, err := openArchive(dir, format)
		if err != nil {
			t.Fatal(err)
		}
		for _, levels := range [][]string{{".."}, {"..", ".."}, {"a/../../b"}, {"/etc"}, {"cur"}, {"\x1b[31mred\x00"}, {"..", "cur"}, {"a\\..\\b"}} {
			p, rel, err := ar.path(levels)
			if err != nil {
				t.Errorf("%q: %v", levels, err)
				continue
			}
			if r, err := filepath.Rel(dir, p); err != nil || strings.HasPrefix(r, "..") || strings.Contains(rel, "..") {
				t.Errorf("%q → %s (%s) outside %s", levels, p, rel, dir)
			}
			if format == FormatMaildir && (filepath.Base(p) == "cur" || filepath.Base(p) == "new" || filepath.Base(p) == "tmp") {
				t.Errorf("%q → %s clashes with a Maildir directory", levels, p)
			}
		}
		if _, _, err := ar.path([]string{"link", "x"}); err == nil {
			t.Errorf("%s: a symbolic link out of the archive was followed", format)
		}
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("%s was created", outside)
	}
}

// A POP3 maildrop backed up in small windows: INBOX arrives whole,
// duplicates included, verified, and a re-run stores nothing.
func TestBackupPOP3InWindows(t *testing.T) {
	d := testenv.Dovecot(t)
	su := d.NewUser(t)
	imapSrc := dovecotSide(t, d, su)
	upload(t, imapSrc, corpus.Options{Seed: 8, Messages: 90, Malformed: true})
	before := snapshot(t, imapSrc)
	src := pop3Side(t, d, su, d.POP3Port, account.SecuritySTARTTLS)
	dir := t.TempDir()
	opts := Options{JournalDir: t.TempDir(), listWindow: 5, verifyChunk: 4}
	rep, err := Backup(context.Background(), src, dir, FormatMbox, opts)
	n := len(before["INBOX"])
	if tot := rep.Totals(); err != nil || !rep.Verified() || tot.Copied != n || tot.SourceCount != n || tot.DestCount != n {
		t.Fatalf("%v verified=%v %+v (INBOX holds %d)", err, rep.Verified(), tot, n)
	}
	ar, _ := openArchive(dir, FormatMbox)
	af, err := ar.folder([]string{"INBOX"})
	if err != nil {
		t.Fatal(err)
	}
	defer af.close()
	if got, want := archiveSums(t, af), sums(before["INBOX"]); !mapsEqual(got, want) {
		t.Errorf("archive holds %d distinct, source %d", len(got), len(want))
	}
	rep, err = Backup(context.Background(), src, dir, FormatMbox, opts)
	if tot := rep.Totals(); err != nil || !rep.Verified() || tot.Copied != 0 || tot.Previously != n {
		t.Fatalf("re-run: %v verified=%v %+v", err, rep.Verified(), tot)
	}
	sameSnapshot(t, before, snapshot(t, imapSrc))
}

// An archive folder's keys are found again exactly as archiveKey spells
// them, whether kept compact or (any other spelling) as they are.
func TestKeySet(t *testing.T) {
	var k keySet
	h := [32]byte{0xab, 0x01, 0xff, 0x10, 0x00, 0x7e, 0x99}
	a, b := archiveKey(4000000000, 17, h), archiveKey(1, 4294967295, [32]byte{})
	k.add(a)
	k.add(b)
	k.add("hand-made")
	for _, key := range []string{a, b, "hand-made"} {
		if !k.has(key) {
			t.Errorf("%q not found", key)
		}
	}
	for _, key := range []string{archiveKey(4000000000, 18, h), archiveKey(4000000000, 17, [32]byte{0xab}), "04000000000_17_ab01ff10007e",
		strings.ToUpper(a), "4000000000_17_ab01ff10007", "other"} {
		if k.has(key) {
			t.Errorf("%q found", key)
		}
	}
	if len(k.refs) != 2 || len(k.other) != 1 {
		t.Errorf("%d compact keys, %d others; want 2, 1", len(k.refs), len(k.other))
	}
}
