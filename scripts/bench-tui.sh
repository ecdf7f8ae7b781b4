#!/usr/bin/env bash
# The TUI benchmark of `make bench`: Magpie over a store pre-filled with
# 100k messages in one folder (BENCH_TUI_MESSAGES), and aerc and neomutt
# opening a 10k INBOX (BENCH_TUI_IMAP) on a private loopback Dovecot over
# IMAP, all timed the same way in tmux: first frame, first full page,
# PageDown, peak RSS. Writes its section of docs/benchmarks.md between the
# bench-tui markers (appended when the page has none), leaving the rest.
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

MAGPIE_BENCH_TUI=1 \
MAGPIE_BIN="$PWD/.cache/bench/magpie" \
BENCH_TUI_CACHE="${BENCH_TUI_CACHE:-$PWD/.cache/bench}" \
BENCH_TUI_OUT="$out" \
	$GO test -count=1 -run '^$' -bench '^BenchmarkTUI$' -benchtime 1x -timeout 30m -v ./internal/e2e

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
