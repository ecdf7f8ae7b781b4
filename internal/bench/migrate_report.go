package bench

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// MigScenario is one destination's figures.
type MigScenario struct {
	Magpie, Mbsync, Dsync MigTool
}

// MigTool is one tool's figures in one scenario.
type MigTool struct {
	Cold, Noop Measurement
	Messages   int // on the destination after the cold run
	Ran        bool
	// ServerCPU is the CPU time the servers spent during the cold run:
	// Dovecot's processes (both sides), and CapFilter's in (b).
	ServerCPU time.Duration
	// Copied is, for Magpie, when its copy phase ended (every message on
	// the destination, before its verification read them back), from
	// the process's start; CopiedCPU and CopiedServerCPU the tool's and
	// the servers' CPU time until then. Zero for the other tools: they
	// only copy, their cold run is their copy.
	Copied                     time.Duration
	CopiedCPU, CopiedServerCPU time.Duration
}

func (t MigTool) rate() float64 {
	if t.Cold.Wall <= 0 {
		return 0
	}
	return float64(t.Messages) / t.Cold.Wall.Seconds()
}

// copyRate is messages per second until the mail was copied: the cold
// run's for a tool that only copies.
func (t MigTool) copyRate() float64 {
	if t.Copied <= 0 {
		return t.rate()
	}
	return float64(t.Messages) / t.Copied.Seconds()
}

// MigrateReport is one run of the migration benchmark.
type MigrateReport struct {
	Date          time.Time
	Machine       Machine
	Server        string
	Corpus        string
	Messages      int
	MagpieVersion string
	MbsyncVersion string
	Full          MigScenario // destination offering MULTIAPPEND, LITERAL+…
	Reduced       MigScenario // destination offering only reducedCaps
	Large         MigTool     // Magpie alone, LargeMessages messages, full destination
	LargeMessages int
	NoopRuns      int // how many no-op re-runs the median is of
	// TLS: every tool reached Dovecot over IMAPS; else plain IMAP on
	// loopback (BENCH_MIGRATE_TLS=0).
	TLS bool
}

func (t MigTool) cells() (cold, rate, noop, rss, msgs string) {
	if !t.Ran {
		return "–", "–", "–", "–", "–"
	}
	noop = "–"
	if t.Noop.Wall > 0 {
		noop = secs(t.Noop.Wall)
	}
	return secs(t.Cold.Wall), fmt.Sprintf("%.0f", t.rate()), noop, fmt.Sprintf("%.0f MB", mb(t.Cold.RSSKiB)), fmt.Sprint(t.Messages)
}

// cpuCell is a CPU time for a table cell ("–" when not measured).
func cpuCell(ok bool, d time.Duration) string {
	if !ok || d <= 0 {
		return "–"
	}
	return secs(d)
}

func (s MigScenario) table(withDsync bool, mbsyncName string, cores int) string {
	var b strings.Builder
	tools := []MigTool{s.Mbsync}
	head := "| | " + mbsyncName
	if withDsync {
		tools = append(tools, s.Dsync)
		head += " | doveadm backup -R (imapc)"
	}
	tools = append(tools, s.Magpie)
	head += " | Magpie | Magpie ÷ mbsync"
	if withDsync {
		head += " | Magpie ÷ dsync"
	}
	b.WriteString(head + " |\n|---|" + strings.Repeat("---:|", strings.Count(head, "|")-1) + "\n")
	row := func(name string, get func(MigTool) string, ratios ...string) {
		b.WriteString("| " + name)
		for _, t := range tools {
			b.WriteString(" | " + get(t))
		}
		for _, r := range ratios {
			b.WriteString(" | " + r)
		}
		b.WriteString(" |\n")
	}
	g, m, d := s.Magpie, s.Mbsync, s.Dsync
	speed := func(a, base MigTool) string { return ratio(a.rate(), base.rate()) }
	ratios := func(a, b string) []string {
		if withDsync {
			return []string{a, b}
		}
		return []string{a}
	}
	copySpeed := func(a, base MigTool) string { return ratio(a.copyRate(), base.copyRate()) }
	copied := func(t MigTool) string {
		switch {
		case !t.Ran:
			return "–"
		case t.Copied <= 0:
			return secs(t.Cold.Wall) // copying is all it does
		}
		return secs(t.Copied)
	}
	row("mail copied (Magpie: before its verification)", copied, ratios("", "")...)
	row("messages per second, mail copied", func(t MigTool) string {
		if !t.Ran {
			return "–"
		}
		return fmt.Sprintf("%.0f", t.copyRate())
	}, ratios("**"+copySpeed(g, m)+"**", "**"+copySpeed(g, d)+"**")...)
	row("copied and verified: the whole command", func(t MigTool) string { c, _, _, _, _ := t.cells(); return c }, ratios("", "")...)
	row("messages per second, the whole command", func(t MigTool) string { _, r, _, _, _ := t.cells(); return r }, ratios("**"+speed(g, m)+"**", "**"+speed(g, d)+"**")...)
	row("no-op re-run", func(t MigTool) string { _, _, n, _, _ := t.cells(); return n },
		ratios(ratio(g.Noop.Wall.Seconds(), m.Noop.Wall.Seconds()), ratio(g.Noop.Wall.Seconds(), d.Noop.Wall.Seconds()))...)
	row("CPU, the tool (cold)", func(t MigTool) string { return cpuCell(t.Ran, t.Cold.CPU) }, ratios("", "")...)
	row("CPU, servers (cold)", func(t MigTool) string { return cpuCell(t.Ran, t.ServerCPU) }, ratios("", "")...)
	row("CPU ÷ cores: the floor", func(t MigTool) string {
		return cpuCell(t.Ran && t.Cold.CPU > 0 && t.ServerCPU > 0, (t.Cold.CPU+t.ServerCPU)/time.Duration(max(1, cores)))
	}, ratios("", "")...)
	row("CPU until mail copied: the tool, servers", func(t MigTool) string {
		if !t.Ran || t.Copied <= 0 {
			return "–"
		}
		return cpuCell(true, t.CopiedCPU) + ", " + cpuCell(true, t.CopiedServerCPU)
	}, ratios("", "")...)
	row("peak RSS, cold", func(t MigTool) string { _, _, _, r, _ := t.cells(); return r }, ratios("", "")...)
	row("messages on the destination", func(t MigTool) string { _, _, _, _, n := t.cells(); return n }, ratios("", "")...)
	return b.String()
}

// Markdown is the benchmark's section of docs/benchmarks.md.
func (r MigrateReport) Markdown() string {
	var b strings.Builder
	b.WriteString("## Migration: `magpie migrate` against mbsync and dsync\n\n")
	b.WriteString("Written by `scripts/bench-migrate.sh` (part of `make bench`); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", r.Date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s\n", r.Machine)
	if r.Machine.Load != "" {
		fmt.Fprintf(&b, "- Load average before the run: %s (other work on the machine skews the figures)\n", r.Machine.Load)
	}
	fmt.Fprintf(&b, "- Server: %s\n", r.Server)
	fmt.Fprintf(&b, "- Corpus: %s\n", r.Corpus)
	fmt.Fprintf(&b, "- Magpie: %s\n", r.MagpieVersion)
	if r.TLS {
		b.WriteString("- Transport: IMAPS (TLS) on loopback for every tool and side it speaks IMAP on: Magpie, mbsync, and dsync's imapc (`imapc_ssl=imaps`); (b)'s proxy in plain IMAP\n\n")
	} else {
		b.WriteString("- Transport: plain IMAP on loopback for every tool (`BENCH_MIGRATE_TLS=0`), no TLS anywhere\n\n")
	}
	b.WriteString("### (a) Destination offering MULTIAPPEND (RFC 3502) and LITERAL+ (Dovecot as is)\n\n")
	b.WriteString("Goal: Magpie ≥ 1.0× doveadm backup (dsync) in messages per second. The anchors only copy; Magpie also reads\n")
	b.WriteString("every message back from the destination and hashes it: \"mail copied\" compares like with like, \"the whole command\" is what a user waits for.\n\n")
	b.WriteString(r.Full.table(true, r.MbsyncVersion, r.Machine.CPUs))
	b.WriteString("\n### (b) Destination advertising only `IMAP4rev1 ID IDLE UIDPLUS NAMESPACE` (like Exmail, NetEase)\n\n")
	b.WriteString("The same Dovecot behind a loopback proxy that rewrites its capability lists (`internal/bench/capfilter.go`),\n")
	b.WriteString("plain IMAP between client and proxy and between proxy and Dovecot. Goal: Magpie ≥ 2× mbsync (mail copied, and the whole command shown beside).\n\n")
	b.WriteString(r.Reduced.table(false, r.MbsyncVersion, r.Machine.CPUs))
	b.WriteString("\n### Memory and the no-op re-run\n\n")
	b.WriteString("Goals: peak RSS ≤ 100 MB and flat from 10k to 50k messages; no-op re-run ≤ 0.5 s.\n\n")
	if r.Large.Ran {
		fmt.Fprintf(&b, "Both sizes are one corpus (the same seed): the %d messages are the first %d of the %d, large attachments\n", r.Messages, r.Messages, r.LargeMessages)
		b.WriteString("included, so the two peaks differ by the mailbox's size alone, not by another corpus's largest messages. Copied into (a)\n")
		b.WriteString("(the larger one without the no-op re-run); the peak is `/usr/bin/time -f %M` of the whole `magpie migrate`.\n\n")
	}
	b.WriteString("| messages | Magpie cold copy | messages per second | peak RSS |\n|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %s | %.0f | %.0f MB |\n", r.Messages, secs(r.Full.Magpie.Cold.Wall), r.Full.Magpie.rate(), mb(r.Full.Magpie.Cold.RSSKiB))
	if r.Large.Ran {
		fmt.Fprintf(&b, "| %d | %s | %.0f | %.0f MB |\n", r.LargeMessages, secs(r.Large.Cold.Wall), r.Large.rate(), mb(r.Large.Cold.RSSKiB))
	}
	noop := func(t MigTool) string {
		if !t.Ran || t.Noop.Wall <= 0 {
			return "–" // not run (BENCH_MIGRATE_ONLY)
		}
		return secs(t.Noop.Wall)
	}
	fmt.Fprintf(&b, "\nNo-op re-run of `magpie migrate` (median of %d): %s into (a), %s into (b).\n", r.NoopRuns,
		noop(r.Full.Magpie), noop(r.Reduced.Magpie))
	b.WriteString("\n")
	for _, l := range []string{
		"What is measured: each tool copies every folder of the source user into a fresh user of the same",
		"Dovecot on loopback, then runs again with nothing to do. All tools use the same transport (the",
		"Transport line): by default IMAPS, where Dovecot's imap-login process stays in the path of every",
		"connection as its TLS proxy (about 40% of Dovecot's CPU in Magpie's copy, measured with",
		"BenchmarkMigrateInProcess, which logs Dovecot's CPU per process and phase); `BENCH_MIGRATE_TLS=0`",
		"runs every tool over plain IMAP instead. dsync's imapc reads the source over the same transport",
		"and writes the destination's maildir directly (no IMAP, no TLS on that side); Magpie and mbsync",
		"speak IMAP to both sides. Wall time is measured around the process; peak RSS is `/usr/bin/time -f",
		"%M`. CPU is the tool's user and system time, and the servers' during its cold copy (Dovecot's",
		"processes, both sides, and in (b) the capability proxy, which runs in the benchmark's process):",
		"on this loopback machine every process shares the same cores, so their sum divided by the cores is",
		"a floor no wall time goes under. The proxy rewrites capability lists line by line and copies",
		"literals in bulk; a real provider's proxy does not run on the client's cores, ours does, and",
		"burdens mbsync and Magpie alike; (b)'s wall times swing widely between runs on this machine (we saw",
		"8–17 s for Magpie and 11–37 s for mbsync with the same code), so read its ratio with the CPU rows.",
		"Magpie's figures come in two: \"mail copied\" is when every message is on the destination, as",
		"`magpie migrate` itself reports it (the `copied` time of its `--json` report; the tool's and the servers'",
		"CPU until then sampled every 100 ms), like for like with mbsync and dsync, which only copy; \"the whole",
		"command\" adds its verification (every folder compared by content hash: the source's hashes from its",
		"journal, the destination's from every message read back from the destination, a big folder by all",
		"the workers at once in UID ranges of 1,000 messages) and is what a user waits for. A folder is",
		"verified as soon as it is copied, by the workers done copying, so part of the verification overlaps",
		"the copy's tail (and its CPU counts in \"mail copied\"). Both count its journal. The benchmark's log shows, every 0.5 s of Magpie's run, how many cores the tool and the",
		"servers kept busy. mbsync runs one channel `Patterns *`",
		"(`Sync Pull`, `Create Near`, `CopyArrivalDate yes`), so it keeps folder names where Magpie maps",
		"已发送 to the destination's Sent; dsync is `doveadm backup -R -u NEW imapc:` with",
		"`mail_prefetch_count=20`. Magpie runs with its defaults: 4 workers, each with one connection per",
		"side (with MULTIAPPEND the appender takes the ordinary destination connection's place); batches of",
		"up to 250 messages (at most 2 MB of bodies in memory; the workers' batches take theirs from one budget of",
		"(workers+2) × 2 MB, so a big mailbox's peak is no higher than a small one's). With MULTIAPPEND each worker takes the next",
		"batch of the folder with the most left, so a big folder is copied over several connections at once;",
		"without it a folder is appended into by one worker, whose appender selects it and pipelines one APPEND",
		"per message, each synchronising literal sent with the next command's line (Dovecot's CPU per APPEND",
		"doubles when the folder is not selected and grows with two sessions appending into it, which then wait",
		"on each other's lock: no faster). The biggest folder is taken first; its copy is the critical path.",
		"Its no-op re-run skips the folders verified before and unchanged since on both",
		"sides (same UIDVALIDITY, UIDNEXT and MESSAGES by STATUS), whose verdict stands.",
	} {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n```sh\nmake bench                                        # everything\nBENCH_MESSAGES=2000 BENCH_MIGRATE_LARGE=0 bash scripts/bench-migrate.sh   # this section alone, smaller\nBENCH_MIGRATE_TLS=0 bash scripts/bench-migrate.sh   # every tool over plain IMAP instead of IMAPS\nBENCH_MIGRATE_ONLY=reduced BENCH_MIGRATE_LARGE=0 BENCH_DOC=/tmp/b.md bash scripts/bench-migrate.sh   # (b) alone\nBENCH_MIGRATE_ONLY=memory BENCH_DOC=/tmp/m.md bash scripts/bench-migrate.sh   # Magpie alone into (a) at 10k and 50k: the memory table\n```\n")
	return b.String()
}

// SpliceSection replaces the text between "<!-- NAME:begin -->" and
// "<!-- NAME:end -->" in the file at path with section, appending the
// marked section when the markers are missing (or the file is).
func SpliceSection(path, name, section string) error {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("bench: %w", err)
	}
	doc := string(old)
	block := begin + "\n" + strings.TrimRight(section, "\n") + "\n" + end
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i >= 0 && j > i {
		doc = doc[:i] + block + doc[j+len(end):]
	} else {
		if doc != "" && !strings.HasSuffix(doc, "\n\n") {
			doc = strings.TrimRight(doc, "\n") + "\n\n"
		}
		doc += block + "\n"
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}
