package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

// The "nothing changed" checks a CalDAV client can make, timed one by one
// against a server: what each costs the server decides how fast a no-op
// resync can be.

// check is one timed request: the median of noopRuns.
type check struct {
	name    string
	correct bool // a change in the collection always changes its answer
	took    time.Duration
}

func propfind0(props string) string {
	return `<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop>` + props + `</d:prop></d:propfind>`
}

// timeChecks times each check on the collection col; token is a sync-token
// of it (for the REPORT).
func timeChecks(b *testing.B, ctx context.Context, col, user, pw, token string) []check {
	reqs := []struct {
		name, method, depth, body string
		correct                   bool
	}{
		{"PROPFIND Depth 0 getctag (Magpie's check)", "PROPFIND", "0", propfind0(`<cs:getctag/>`), true},
		{"PROPFIND Depth 0 sync-token", "PROPFIND", "0", propfind0(`<d:sync-token/>`), true},
		{"REPORT sync-collection from the stored token (RFC 6578)", "REPORT", "", `<d:sync-collection xmlns:d="DAV:"><d:sync-token>` +
			token + `</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>`, true},
		{"PROPFIND Depth 0 getetag", "PROPFIND", "0", propfind0(`<d:getetag/>`), true},
		{"PROPFIND Depth 0 getlastmodified (not a correct check: seconds, and not tied to members by RFC 4918)", "PROPFIND", "0",
			propfind0(`<d:getlastmodified/>`), false},
	}
	var out []check
	for _, r := range reqs {
		var ds []time.Duration
		for range noopRuns {
			req, _ := http.NewRequestWithContext(ctx, r.method, col, strings.NewReader(r.body))
			req.Header.Set("Content-Type", "application/xml; charset=utf-8")
			if r.depth != "" {
				req.Header.Set("Depth", r.depth)
			}
			if user != "" {
				req.SetBasicAuth(user, pw)
			}
			t0 := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			ds = append(ds, time.Since(t0))
			if resp.StatusCode != http.StatusMultiStatus {
				b.Fatalf("%s %s: %d", r.method, col, resp.StatusCode)
			}
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		out = append(out, check{name: r.name, correct: r.correct, took: ds[noopRuns/2]})
	}
	return out
}

// xandikosNoop fills a Xandikos calendar with n events (written into its
// git repository in one commit: its initial sync of thousands takes many
// minutes, not what is measured), caches them as a sync would, and times
// the no-op resync and the checks.
func xandikosNoop(b *testing.B, ctx context.Context, n int) (time.Duration, []check) {
	dav := testenv.Xandikos(b)
	col := dav.CalendarHomeURL + "bench/"
	client := calendar.NewClient(calendar.ClientOptions{})
	if err := client.MkCalendar(ctx, col, "bench", ""); err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(dav.Dir, "data", "user", "calendars", "bench")
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "x.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(ctx, "bench")
	sy := &calendar.Syncer{Client: client, Store: st, Account: acct, Loc: time.Local}
	var rows []store.CalObject
	for i, data := range benchEvents(b, n) {
		name := fmt.Sprintf("ev-%05d.ics", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
		rows = append(rows, sy.Row(calendar.Object{URL: col + name, Data: data}))
	}
	git := exec.Command("git", "-c", "safe.directory=*", "-c", "user.name=bench", "-c", "user.email=bench@localhost",
		"commit", "-q", "-m", "bench events")
	add := exec.Command("git", "-c", "safe.directory=*", "add", "-A")
	for _, c := range []*exec.Cmd{add, git} {
		c.Dir = dir
		if out, err := c.CombinedOutput(); err != nil {
			b.Fatalf("xandikos import: %v\n%s", err, out)
		}
	}
	if fi, err := os.Stat(dir); err == nil && os.Geteuid() == 0 { // the server runs as the directory's owner
		sys := fi.Sys().(*syscall.Stat_t)
		_ = exec.Command("chown", "-R", fmt.Sprintf("%d:%d", sys.Uid, sys.Gid), dir).Run()
	}
	c, err := client.Collection(ctx, col)
	if err != nil {
		b.Fatal(err)
	}
	id, err := st.UpsertCalendar(ctx, store.Calendar{Account: acct, URL: c.URL, Name: c.Name})
	if err != nil {
		b.Fatal(err)
	}
	if err := st.PutCalObjects(ctx, id, rows, nil); err != nil {
		b.Fatal(err)
	}
	token := propValue(b, ctx, col, "", "", "sync-token")
	if err := st.SetCalendarState(ctx, id, c.CTag, token, time.Now()); err != nil {
		b.Fatal(err)
	}
	var noops []time.Duration
	for range noopRuns {
		t0 := time.Now()
		c, err := client.Collection(ctx, col)
		if err != nil {
			b.Fatal(err)
		}
		res, err := sy.SyncAll(ctx, []calendar.Collection{c})
		if err != nil || res[0].Method != calendar.SyncUnchanged {
			b.Fatalf("xandikos no-op resync: %+v %v", res, err)
		}
		noops = append(noops, time.Since(t0))
	}
	sort.Slice(noops, func(i, j int) bool { return noops[i] < noops[j] })
	return noops[noopRuns/2], timeChecks(b, ctx, col, "", "", token)
}

// propValue reads one DAV: property of col (Depth 0), with the ctag.
func propValue(b *testing.B, ctx context.Context, col, user, pw, name string) string {
	req, _ := http.NewRequestWithContext(ctx, "PROPFIND", col, strings.NewReader(propfind0("<cs:getctag/><d:"+name+"/>")))
	req.Header.Set("Depth", "0")
	if user != "" {
		req.SetBasicAuth(user, pw)
	}
	req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	s := string(body)
	i := strings.Index(s, name+">")
	j := -1
	if i >= 0 {
		j = strings.Index(s[i+1:], "</")
	}
	if i < 0 || j < 0 {
		b.Fatalf("no %s in %s", name, s)
	}
	return s[i+len(name)+1 : i+1+j]
}

// checkRows is the Markdown rows of the checks timed on two servers.
func checkRows(radicale, xandikos []check) string {
	var sb strings.Builder
	for i, c := range radicale {
		x := "–"
		if i < len(xandikos) {
			x = fmt.Sprintf("%.3f s", xandikos[i].took.Seconds())
		}
		fmt.Fprintf(&sb, "| %s | %.3f s | %s |\n", c.name, c.took.Seconds(), x)
	}
	return sb.String()
}
