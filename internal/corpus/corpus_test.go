package corpus

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/magpie-mail/magpie/message"
)

// digest hashes everything about a corpus.
func digest(t *testing.T, opts Options) string {
	t.Helper()
	h := sha256.New()
	err := Each(opts, func(m Message) error {
		for _, s := range append([]string{m.Folder, m.MessageID, m.Malformed, fmt.Sprint(m.Duplicate)}, m.Flags...) {
			binary.Write(h, binary.BigEndian, uint32(len(s)))
			h.Write([]byte(s))
		}
		binary.Write(h, binary.BigEndian, m.InternalDate.UnixNano())
		binary.Write(h, binary.BigEndian, uint32(len(m.Raw)))
		h.Write(m.Raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestDeterministic(t *testing.T) {
	opts := Options{Seed: 42, Messages: 300, LargeEvery: 150, Malformed: true}
	a, b := digest(t, opts), digest(t, opts)
	if a != b {
		t.Fatalf("same options, different corpus: %s vs %s", a, b)
	}
	if c := digest(t, Options{Seed: 43, Messages: 300, LargeEvery: 150, Malformed: true}); c == a {
		t.Fatal("different seeds gave the same corpus")
	}
	// Generate is the same stream as Each.
	h := sha256.New()
	for _, m := range Generate(Options{Seed: 7, Messages: 50}) {
		h.Write(m.Raw)
	}
	h2 := sha256.New()
	for m := range All(Options{Seed: 7, Messages: 50}) {
		h2.Write(m.Raw)
	}
	if string(h.Sum(nil)) != string(h2.Sum(nil)) {
		t.Fatal("Generate and All disagree")
	}
}

func TestProportionsAndParse(t *testing.T) {
	const n = 2000
	folders := make(map[string]bool)
	for _, f := range Folders() {
		folders[f.Name] = true
	}
	var noID, dups, replies, htmlOnly, gbk, big5, withAtt, cjkAtt, malformed, sizeOK int
	seenFolder := make(map[string]int)
	flagCount := make(map[string]int)
	var prev []byte
	base := Base()
	err := Each(Options{Seed: 1, Messages: n, Malformed: true}, func(m Message) error {
		if !folders[m.Folder] {
			t.Fatalf("unknown folder %q", m.Folder)
		}
		seenFolder[m.Folder]++
		for _, f := range m.Flags {
			flagCount[f]++
		}
		if m.InternalDate.After(base.Add(72*time.Hour)) || m.InternalDate.Before(base.AddDate(-3, 0, -7)) {
			t.Errorf("InternalDate %v outside three years before %v", m.InternalDate, base)
		}
		if m.Duplicate {
			dups++
			if string(m.Raw) != string(prev) {
				t.Fatal("duplicate differs from the previous message")
			}
		}
		prev = m.Raw
		if m.MessageID == "" {
			noID++
		}
		if len(m.Raw) >= 2<<10 && len(m.Raw) <= 24<<10 {
			sizeOK++
		}
		raw := string(m.Raw)
		if strings.Contains(raw, "In-Reply-To:") {
			replies++
		}
		if strings.Contains(raw, "charset=GBK") || strings.Contains(raw, "charset=gb2312") || strings.Contains(raw, "charset=GB18030") {
			gbk++
		}
		if strings.Contains(raw, "charset=big5") {
			big5++
		}
		if strings.Contains(raw, "filename*") {
			cjkAtt++
		}
		if strings.Contains(raw, "text/html") && !strings.Contains(raw, "text/plain") {
			htmlOnly++
		}
		if strings.Contains(raw, "\nContent-Type: multipart/mixed") {
			withAtt++
		}
		if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
			t.Fatalf("bare LF in %q", m.MessageID)
		}
		for _, l := range strings.Split(raw, "\r\n") {
			if len(l) > 998 {
				t.Fatalf("line of %d bytes in %q (RFC 5322 §2.1.1)", len(l), m.MessageID)
			}
		}

		p, err := message.Parse(m.Raw)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if m.Malformed != "" {
			malformed++
			if len(p.Problems) == 0 {
				t.Errorf("malformed (%s) message %s parsed without problems", m.Malformed, m.MessageID)
			}
			return nil
		}
		if len(p.Problems) > 0 {
			t.Errorf("well-formed message %s has problems %q", m.MessageID, p.Problems)
		}
		if p.MessageID != m.MessageID {
			t.Errorf("parsed Message-ID %q, generated %q", p.MessageID, m.MessageID)
		}
		if p.Subject == "" || strings.ContainsRune(p.Subject, utf8.RuneError) || strings.ContainsRune(p.Text, utf8.RuneError) {
			t.Errorf("message %s decodes badly: subject %q", m.MessageID, p.Subject)
		}
		if p.Date.IsZero() || p.Text == "" || len(p.From) != 1 {
			t.Errorf("message %s: date %v, text %d bytes, from %v", m.MessageID, p.Date, len(p.Text), p.From)
		}
		for _, a := range p.Attachments {
			if a.Filename == "attachment" || a.Size == 0 {
				t.Errorf("message %s: attachment %+v lost its name or data", m.MessageID, a)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pct := func(k int) float64 { return 100 * float64(k) / n }
	between := func(what string, k int, lo, hi float64) {
		if p := pct(k); p < lo || p > hi {
			t.Errorf("%s: %.1f%%, want %.0f–%.0f%%", what, p, lo, hi)
		}
	}
	between("without Message-ID", noID, 1.5, 5)
	between("duplicates", dups, 1, 3.5)
	between("replies", replies, 12, 35)
	between("HTML-only", htmlOnly, 4, 12)
	between("GBK family", gbk, 10, 40)
	between("Big5", big5, 2, 12)
	between("with attachments", withAtt, 12, 30)
	between("RFC 2231 names", cjkAtt, 5, 30)
	between("malformed", malformed, 0.8, 4)
	between("2–24 KB", sizeOK, 60, 100)
	for _, f := range Folders() {
		if seenFolder[f.Name] == 0 {
			t.Errorf("folder %q got no mail", f.Name)
		}
	}
	for _, f := range []string{`\Seen`, `\Flagged`, `\Answered`, `\Draft`, "Work", "Invoice", "$label1", "$Forwarded"} {
		if flagCount[f] == 0 {
			t.Errorf("flag %s never set", f)
		}
	}
	if flagCount[`\Seen`] < n/2 || flagCount[`\Seen`] > n*9/10 {
		t.Errorf("\\Seen on %d of %d", flagCount[`\Seen`], n)
	}
}

func TestLargeEvery(t *testing.T) {
	i := 0
	err := Each(Options{Seed: 3, Messages: 6, LargeEvery: 3}, func(m Message) error {
		i++
		large := len(m.Raw) > 1<<20
		if large != (i%3 == 0) {
			t.Errorf("message %d: %d bytes", i, len(m.Raw))
		}
		if large && len(m.Raw) > 7<<20 {
			t.Errorf("message %d: %d bytes, more than 5 MB of data", i, len(m.Raw))
		}
		if large {
			p, err := message.Parse(m.Raw)
			if err != nil || len(p.Attachments) == 0 || p.Attachments[len(p.Attachments)-1].Size < 1<<20 {
				t.Errorf("large message %d does not parse to a large attachment", i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStreaming checks that Each and All hand out messages one at a time
// and stop when asked.
func TestStreaming(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Each(Options{Seed: 1, Messages: 1000}, func(Message) error {
		calls++
		if calls == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 5 {
		t.Fatalf("Each: err %v after %d calls", err, calls)
	}
	calls = 0
	for range All(Options{Seed: 1, Messages: 1000}) {
		calls++
		if calls == 3 {
			break
		}
	}
	if calls != 3 {
		t.Fatalf("All yielded %d", calls)
	}
	if got := Generate(Options{Seed: 1, Messages: 0}); len(got) != 0 {
		t.Fatalf("Generate(0) = %d messages", len(got))
	}
}

func TestFolders(t *testing.T) {
	roles := make(map[string]string)
	names := make(map[string]bool)
	for _, f := range Folders() {
		if names[f.Name] {
			t.Fatalf("folder %q twice", f.Name)
		}
		if i := strings.LastIndexByte(f.Name, '/'); i >= 0 && !names[f.Name[:i]] {
			t.Fatalf("folder %q listed before its parent", f.Name)
		}
		names[f.Name] = true
		if f.Role != "" {
			roles[f.Role] = f.Name
		}
	}
	for _, r := range []string{"inbox", "sent", "drafts", "trash", "junk", "archive"} {
		if roles[r] == "" {
			t.Errorf("no %s folder", r)
		}
	}
	if roles["sent"] != "已发送" || !names["客户邮件/2024"] {
		t.Errorf("folders: %v", Folders())
	}
	if len(folderWeights()) != len(Folders()) {
		t.Fatal("folderWeights and Folders disagree")
	}
}

// TestOwner: with an Owner, the mailbox is hers in every header and each
// message is signed by its sender, never by the default owner 孙丽.
func TestOwner(t *testing.T) {
	opts := Options{Seed: 9, Messages: 400, Owner: Owner{Name: "陈明", Addr: "chen@magpie.demo", Latin: "Chen Ming"}}
	sentByOwner := 0
	for m := range All(opts) {
		raw := string(m.Raw)
		if strings.Contains(raw, "sunli@") || strings.Contains(raw, "Sun Li") {
			t.Fatalf("message %s still names the default owner", m.MessageID)
		}
		p, err := message.Parse(m.Raw)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.Text, "孙丽") {
			t.Fatalf("message %s is signed 孙丽:\n%s", m.MessageID, p.Text)
		}
		if m.Folder == "已发送" {
			if len(p.From) != 1 || p.From[0].Addr != "chen@magpie.demo" || p.From[0].Name != "陈明" {
				t.Fatalf("sent mail is from %v", p.From)
			}
			_, sig, signed := strings.Cut(p.Text, "-- \n")
			if signed && !strings.HasPrefix(sig, "陈明\n") && !strings.Contains(sig, "Chen Ming") && !strings.Contains(sig, "敬礼") {
				t.Fatalf("sent mail is not signed by its owner:\n%s", p.Text)
			}
			sentByOwner++
		}
	}
	if sentByOwner == 0 {
		t.Fatal("no sent mail in the corpus")
	}
	if digest(t, Options{Seed: 9, Messages: 50}) == digest(t, Options{Seed: 9, Messages: 50, Owner: opts.Owner}) {
		t.Error("the owner changes nothing")
	}
}
