#!/usr/bin/env bash
# The TUI benchmark of `make bench`: Magpie over a store pre-filled with
# 100k messages in one folder (BENCH_TUI_MESSAGES), and aerc and neomutt
# opening a 10k INBOX (BENCH_TUI_IMAP) on a private loopback Dovecot over
# IMAP, all timed the same way in tmux (driven through one control-mode
# client, internal/e2e): first frame, first full page,
# PageDown, peak RSS. Writes its section of docs/benchmarks.md between the
# bench-tui markers (appended when the page has none), leaving the rest.
# Then the same Magpie in process (ui/app's PageDown and start benchmarks),
# free of tmux's own latency, printed and written after the table.
# Never part of `make test`: nothing here asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
doc="${BENCH_DOC:-$PWD/docs/benchmarks.md}"

missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v aerc >/dev/null || missing+=(aerc)
command -v neomutt >/dev/null || missing+=(neomutt)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench-tui: missing ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "bench-tui: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v dovecot >/dev/null && [ ! -x /usr/sbin/dovecot ]; then
	bash scripts/test-deps.sh
fi

mkdir -p .cache/bench
$GO build -ldflags "-X main.version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)" -o .cache/bench/magpie .
out=$(mktemp)
trap 'rm -f "$out"' EXIT

cache="${BENCH_TUI_CACHE:-$PWD/.cache/bench}"
MAGPIE_BENCH_TUI=1 \
MAGPIE_BIN="$PWD/.cache/bench/magpie" \
BENCH_TUI_CACHE="$cache" \
BENCH_TUI_OUT="$out" \
	$GO test -count=1 -run '^$' -bench '^BenchmarkTUI$' -benchtime 1x -timeout 30m -v ./internal/e2e

# The same Magpie in process (ui/app's benchmarks): the program on a pipe
# and a buffer over a copy of the same store, timed from the key (or from
# Run) to the bytes written. No terminal and no tmux: the method's floor
# above is not in these figures.
inproc=$(mktemp)
trap 'rm -f "$out" "$inproc"' EXIT
MAGPIE_BENCH_STORE="$cache/magpie-tui-${BENCH_TUI_MESSAGES:-100000}.db" \
	$GO test -count=1 -run '^$' -bench '^Benchmark(PageDown|Startup)$' -benchtime "${BENCH_TUI_INPROC:-200}x" -timeout 10m ./ui/app | tee "$inproc"
awk -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '
	function ms(ns) { return sprintf("%.1f ms", ns / 1e6) }
	/^BenchmarkPageDown\/program/ { key = ms($3); for (i = 4; i < NF; i++) { if ($(i+1) == "worst-ms") worst = $i " ms"; if ($(i+1) == "bytes/key") bytes = sprintf("%.0f B", $i) } }
	/^BenchmarkPageDown\/update/ { uv = ms($3) }
	/^BenchmarkStartup/ { for (i = 4; i < NF; i++) { if ($(i+1) == "first-ms") first = $i " ms"; if ($(i+1) == "page-ms") page = $i " ms" } }
	END {
		if (key == "") exit 1
		print ""
		print "### In process, without a terminal"
		print ""
		print "The same Magpie and store in process (`ui/app` benchmarks `BenchmarkPageDown` and `BenchmarkStartup`; load average " load "): the program runs on a pipe and a buffer, timed from the key written to its input (from `Run`, for a start) to the frame'"'"'s bytes on its output. What tmux adds (above: the floor row) is not in these figures; process start, config and opening the store are not in the start figures."
		print ""
		print "| | first frame | first full page | PageDown (mean) | PageDown, worst | PageDown, Update + View only | bytes per key |"
		print "|---|---:|---:|---:|---:|---:|---:|"
		printf "| Magpie, in process | %s | %s | %s | %s | %s | %s |\n", first, page, key, worst, uv, bytes
		print ""
		print "Neither aerc nor neomutt can be measured in process: the tmux table above compares the clients with each other and with the goals, its floor row being what tmux itself adds; this table shows what of Magpie'"'"'s figures is Magpie. Magpie'"'"'s copy of bubbletea (third_party/bubbletea, see its MAGPIE.md) draws a key'"'"'s frame at once when the last frame is at least one frame period old (8.3 ms: Magpie runs it at its maximum, 120 frames a second) and leaves views that come faster to its frame ticker; bubbletea v2.0.10 as published made every key'"'"'s frame wait for the next tick, on average 4 ms more per PageDown. Bytes per key: what the program writes after a PageDown, its frame and whatever follows it until the program has been quiet for 30 ms (as in tmux, the next key waits that long)."
	}' "$inproc" >> "$out" || echo "bench-tui: no in-process figures" >&2
echo
sed -n '/^### In process/,$p' "$out"

[ "${BENCH_TUI_OTHERS:-}" = 0 ] && exit 0 # Magpie alone: printed above, not written
[ -s "$out" ] || { echo "bench-tui: no figures" >&2; exit 1; }
begin='<!-- bench-tui:begin -->'
end='<!-- bench-tui:end -->'
touch "$doc"
if grep -qF "$begin" "$doc" && grep -qF "$end" "$doc"; then
	# Replace what lies between the markers, keep everything else.
	awk -v b="$begin" -v e="$end" -v f="$out" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip { print }' "$doc" > "$doc.tmp"
	mv "$doc.tmp" "$doc"
else
	{ echo; echo "$begin"; cat "$out"; echo "$end"; } >> "$doc"
fi
echo "bench-tui: wrote $doc"
