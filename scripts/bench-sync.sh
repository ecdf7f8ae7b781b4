#!/usr/bin/env bash
# The sync benchmark of `make bench`: uploads an internal/corpus mailbox
# (BENCH_MESSAGES, default 10000) to a private loopback Dovecot (mail store on
# tmpfs, /dev/shm, where there is one) and measures mbsync 1.4 and
# `magpie sync --once` pulling it: a cold full sync (mail offline, and to
# exit with the search index fed), a no-op re-run, and each one's peak RSS.
# Then the store's read benchmarks over 100k messages.
#
# docs/benchmarks.md (or BENCH_DOC) is shared with other benchmarks: this
# script replaces only its own sections, each between
# <!-- NAME:begin --> and <!-- NAME:end --> markers (bench-sync for the
# default 10k run, bench-sync-N for another size, bench-store-reads), and
# appends a section that is not there yet. Everything else is kept.
# Never part of `make test`: nothing here asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
export BENCH_MESSAGES=${BENCH_MESSAGES:-10000}
doc="${BENCH_DOC:-$PWD/docs/benchmarks.md}"

# splice FILE NAME CONTENT_FILE: put CONTENT_FILE between NAME's markers in
# FILE, or append it with markers when FILE has none.
splice() {
	local file=$1 name=$2 content=$3
	local begin="<!-- $name:begin -->" end="<!-- $name:end -->"
	[ -f "$file" ] || printf '# Benchmarks\n' >"$file"
	if grep -qxF "$begin" "$file"; then
		awk -v b="$begin" -v e="$end" -v c="$content" '
			$0 == b { print; while ((getline line < c) > 0) print line; skip = 1; next }
			$0 == e { skip = 0 }
			!skip { print }' "$file" >"$file.tmp"
		mv "$file.tmp" "$file"
	else
		{ echo; echo "$begin"; cat "$content"; echo "$end"; } >>"$file"
	fi
}

missing=()
command -v mbsync >/dev/null || missing+=(isync)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench-sync: missing ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "bench-sync: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v dovecot >/dev/null && [ ! -x /usr/sbin/dovecot ]; then
	bash scripts/test-deps.sh
fi

mkdir -p .cache/bench
$GO build -ldflags "-X main.version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)" -o .cache/bench/magpie .

section=$(mktemp)
trap 'rm -f "$section"' EXIT
name=bench-sync
title="Initial sync: \`magpie sync --once\` against mbsync"
if [ "$BENCH_MESSAGES" != 10000 ]; then
	name=bench-sync-$BENCH_MESSAGES
	title="Initial sync at $BENCH_MESSAGES messages"
fi
MAGPIE_BENCH_SYNC=1 \
MAGPIE_BIN="$PWD/.cache/bench/magpie" \
BENCH_SECTION="$section" \
BENCH_TITLE="$title" \
	$GO test -count=1 -run '^$' -bench '^BenchmarkSyncVsMbsync$' -benchtime 1x -timeout 60m -v ./internal/bench
splice "$doc" "$name" "$section"
echo "bench-sync: wrote section $name of $doc"

[ "${BENCH_STORE:-1}" = 1 ] || exit 0
# Store reads over a 100k-message folder (the UI's and `magpie search`'s
# queries). The 100k database is built once and cached in the temp directory
# by the benchmarks themselves.
out=$($GO test -count=1 -run '^$' -bench '^(BenchmarkPage100k|BenchmarkSearch100k|BenchmarkUnreadCounts|BenchmarkThread)$' -benchtime 2s -timeout 30m ./store)
{
	echo "## Store reads over 100k messages in one folder"
	echo
	echo "Go benchmarks of \`store/\` (\`go test -bench ./store\`), same machine and run as the sync above. Goals from the sync issue:"
	echo "a page of a 100k folder ≤ 5 ms, a search over 100k messages ≤ 50 ms. Pages are read by keyset as the list reads them (nothing"
	echo "pages by OFFSET); searches ask for 50 results of one account as \`magpie search\` does, and the last for 500 of every account as the"
	echo "TUI does."
	echo
	echo "| query | time per call |"
	echo "|---|---:|"
	echo "$out" | awk '/^Benchmark/ { name=$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name); printf "| %s | %.2f ms |\n", name, $3/1e6 }'
} >"$section"
splice "$doc" bench-store-reads "$section"
echo "$out" | grep '^Benchmark' || true
