package bench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/internal/calfixture"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/components/calview"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// BenchmarkCalendarVsVdirsyncer measures, once (-benchtime 1x, from
// scripts/bench-calendar.sh with MAGPIE_BENCH_CALENDAR=1): the month view
// (store read, expansion and render) over 1,000 events of which 100 repeat;
// the initial sync of BENCH_EVENTS (5,000) events from a loopback Radicale
// against vdirsyncer syncing the same calendar in the same run; a no-op
// resync, against Radicale and against Xandikos (BENCH_XANDIKOS_EVENTS,
// default BENCH_EVENTS); and what each "nothing changed" check costs each
// server. It writes its section of BENCH_DOC between the bench-calendar
// markers. Nothing asserts a timing.
func BenchmarkCalendarVsVdirsyncer(b *testing.B) {
	if os.Getenv("MAGPIE_BENCH_CALENDAR") != "1" {
		b.Skip("run by scripts/bench-calendar.sh")
	}
	ctx := context.Background()
	n := envInt("BENCH_EVENTS", 5000)
	month := monthRender(b, ctx)

	dav := testenv.Radicale(b)
	user, pw := dav.NewUser(b)
	col := dav.URL + user + "/bench/"
	client := calendar.NewClient(calendar.ClientOptions{Username: user, Password: pw})
	t0 := time.Now()
	upload(b, ctx, col, user, pw, n)
	fmt.Printf("bench-calendar: %d events uploaded in %s\n", n, time.Since(t0).Round(time.Millisecond))

	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(ctx, "bench")
	sy := &calendar.Syncer{Client: client, Store: st, Account: acct, Loc: time.Local, MultigetBatch: envInt("BENCH_MULTIGET", 0)}
	// syncOnce is what `magpie calendar sync` does per calendar: the
	// collection's properties (ctag, sync-token), then the sync. props is
	// the first part alone: the server's work, which Radicale does by
	// reading every item.
	syncOnce := func() (total, props time.Duration, fetched int) {
		t0 := time.Now()
		c, err := client.Collection(ctx, col)
		if err != nil {
			b.Fatal(err)
		}
		props = time.Since(t0)
		res, err := sy.SyncAll(ctx, []calendar.Collection{c})
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), props, res[0].Fetched
	}
	// Radicale builds its caches on the first requests after the upload
	// (tens of seconds at this size): the items' for the ctag, and the
	// sync history (a file per item) for the first sync-token. Warm both
	// once so that neither client pays for them (vdirsyncer, listing
	// etags, would never ask for the second).
	t0 = time.Now()
	propValue(b, ctx, col, user, pw, "sync-token")
	fmt.Printf("bench-calendar: server warmed in %s\n", time.Since(t0).Round(time.Millisecond))
	cold, _, fetched := syncOnce()
	var noops, propss []time.Duration
	for range noopRuns {
		d, p, _ := syncOnce()
		noops, propss = append(noops, d), append(propss, p)
	}
	sort.Slice(noops, func(i, j int) bool { return noops[i] < noops[j] })
	sort.Slice(propss, func(i, j int) bool { return propss[i] < propss[j] })
	cals, err := st.Calendars(ctx, acct)
	if err != nil || len(cals) != 1 {
		b.Fatalf("calendars: %v %v", cals, err)
	}
	radChecks := timeChecks(b, ctx, col, user, pw, cals[0].SyncToken)
	vcold, vnoop := vdirsyncer(b, dav.URL+user+"/", user, pw)
	xn := envInt("BENCH_XANDIKOS_EVENTS", n)
	xnoop, xChecks := xandikosNoop(b, ctx, xn)

	section := fmt.Sprintf(`## Calendar (CalDAV)

%s, one run of `+"`scripts/bench-calendar.sh`"+` (loopback Radicale, %d events; vdirsyncer %s
syncing the same calendar into a local directory in the same run; the server's item and sync-history caches warmed by one
PROPFIND of ctag and sync-token before either client starts). Goals from the calendar issue:
month view ≤ 30 ms, initial sync ≤ 0.5× vdirsyncer, no-op resync ≤ 0.2 s.

| measure | Magpie | vdirsyncer | ratio |
|---|---:|---:|---:|
| month view, 1,000 events incl. 100 repeating (store read of the briefs + expand + render) | %.1f ms | | |
| month view reloaded (the open view) | %.1f ms | | |
| month view render alone | %.2f ms | | |
| initial sync, %d events fetched | %s | %s | %s |
| no-op resync (median of %d) | %.3f s | %s | %s |
| of which the server's answer to the collection PROPFIND | %.3f s | | |
| no-op resync against Xandikos %s (%d events) | %.3f s | | |

What a "nothing changed" check costs each server on this calendar (median of %d; Radicale %s reads
every item for each correct one: the collection's ctag, etag and sync-token are hashes over all items):

| check | Radicale | Xandikos |
|---|---:|---:|
%s`, ThisMachine(), n, vdirVersion(), ms(month[0]), ms(month[2]), ms(month[1]), fetched, secs(cold), secs(vcold),
		ratio(cold.Seconds(), vcold.Seconds()), noopRuns, noops[noopRuns/2].Seconds(), secs(vnoop),
		ratio(noops[noopRuns/2].Seconds(), vnoop.Seconds()), propss[noopRuns/2].Seconds(),
		testenv.Xandikos(b).Version, xn, xnoop.Seconds(), noopRuns, dav.Version, checkRows(radChecks, xChecks))
	fmt.Println(section)
	if doc := os.Getenv("BENCH_DOC"); doc != "" {
		if err := writeSection(doc, "bench-calendar", section); err != nil {
			b.Fatal(err)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// benchEvents is n events (every tenth repeating weekly), each a whole
// iCalendar object.
func benchEvents(b *testing.B, n int) []string {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	base := time.Date(2026, 1, 5, 9, 0, 0, 0, sh)
	out := make([]string, 0, n)
	for i := range n {
		ev := calendar.NewEvent{UID: fmt.Sprintf("ev-%05d", i), Summary: fmt.Sprintf("事件 %d", i), Location: "会议室",
			Start: base.Add(time.Duration(i) * 97 * time.Minute), End: base.Add(time.Duration(i)*97*time.Minute + time.Hour)}
		if i%10 == 0 {
			ev.RRule = "FREQ=WEEKLY;COUNT=20"
		}
		data, err := ev.Encode(false, base)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// upload puts n events (benchEvents) into the calendar collection col in
// one request: Radicale takes a whole calendar PUT on a collection and
// stores one resource per UID (one PUT per event costs it seconds each at
// this size).
func upload(b *testing.B, ctx context.Context, col, user, pw string, n int) {
	var body strings.Builder
	for i, data := range benchEvents(b, n) {
		if i == 0 {
			body.WriteString(data[:strings.Index(data, "BEGIN:VEVENT")])
		}
		body.WriteString(data[strings.Index(data, "BEGIN:VEVENT") : strings.Index(data, "END:VEVENT")+len("END:VEVENT\r\n")])
	}
	body.WriteString("END:VCALENDAR\r\n")
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, col, strings.NewReader(body.String()))
	req.SetBasicAuth(user, pw)
	req.Header.Set("Content-Type", "text/calendar; charset=utf-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		b.Fatalf("PUT %s: %d", col, resp.StatusCode)
	}
}

// monthRender times the month view over 1,000 cached events (100
// repeating): the LoadCmd read and expansion plus View, and View alone.
func monthRender(b *testing.B, ctx context.Context) [3]time.Duration {
	m := calfixture.NewMonth(b, ctx)
	st, sh, first := m.Store, m.Loc, m.First
	acct, err := st.Account(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	c := common.New(i18n.New(i18n.ZH))
	now := func() time.Time { return first.AddDate(0, 0, 16) }
	const runs = 10
	var full, warm, render []time.Duration
	for range runs {
		t0 := time.Now()
		v := calview.New(c, calview.DefaultOptions(c.P), now, sh)
		v.SetSize(120, 40)
		v, _ = v.Update(v.Load(ctx, st, []store.AccountID{acct})())
		t1 := time.Now()
		_ = v.View()
		t2 := time.Now()
		v.Invalidate() // reloading the open view
		v, _ = v.Update(v.Load(ctx, st, []store.AccountID{acct})())
		_ = v.View()
		t3 := time.Now()
		full, render, warm = append(full, t2.Sub(t0)), append(render, t2.Sub(t1)), append(warm, t3.Sub(t2))
	}
	med := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[runs/2]
	}
	return [3]time.Duration{med(full), med(render), med(warm)}
}

// vdirsyncer syncs the calendar home into a local directory: the cold
// sync (after discover), then a no-op one.
func vdirsyncer(b *testing.B, home, user, pw string) (time.Duration, time.Duration) {
	dir := b.TempDir()
	cfg := fmt.Sprintf(`[general]
status_path = "%[1]s/status/"

[pair cal]
a = "remote"
b = "local"
collections = ["from a"]

[storage remote]
type = "caldav"
url = "%[2]s"
username = "%[3]s"
password = "%[4]s"

[storage local]
type = "filesystem"
path = "%[1]s/cal/"
fileext = ".ics"
`, dir, home, user, pw)
	conf := filepath.Join(dir, "config")
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	run := func(args ...string) time.Duration {
		cmd := exec.Command("vdirsyncer", append([]string{"-c", conf}, args...)...)
		cmd.Stdin = strings.NewReader(strings.Repeat("y\n", 10))
		t0 := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
		}
		return time.Since(t0)
	}
	run("discover")
	cold := run("sync")
	return cold, run("sync")
}

func vdirVersion() string {
	out, err := exec.Command("vdirsyncer", "--version").Output()
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(out))
	return f[len(f)-1]
}

// writeSection replaces the text between <!-- name:begin --> and
// <!-- name:end --> in path (appending the markers when absent), leaving
// the rest of the page alone.
func writeSection(path, name, section string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	page := string(old)
	i, j := strings.Index(page, begin), strings.Index(page, end)
	block := begin + "\n" + section + end
	if i < 0 || j < i {
		page = strings.TrimRight(page, "\n") + "\n\n" + block + "\n"
	} else {
		page = page[:i] + block + page[j+len(end):]
	}
	return os.WriteFile(path, []byte(page), 0o644)
}
