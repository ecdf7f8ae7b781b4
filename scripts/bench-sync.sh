#!/usr/bin/env bash
# The sync benchmark of `make bench`: uploads an internal/corpus mailbox
# (BENCH_MESSAGES, default 10000) to a private loopback Dovecot (mail store on
# tmpfs, /dev/shm, where there is one) and measures mbsync 1.4 and
# `magpie sync --once` pulling it: a cold full sync, a no-op re-run, and each
# one's peak RSS. Prints a table and rewrites docs/benchmarks.md.
# Never part of `make test`: nothing here asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
export BENCH_MESSAGES=${BENCH_MESSAGES:-10000}

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

MAGPIE_BENCH_SYNC=1 \
MAGPIE_BIN="$PWD/.cache/bench/magpie" \
BENCH_DOC="${BENCH_DOC:-$PWD/docs/benchmarks.md}" \
	$GO test -count=1 -run '^$' -bench '^BenchmarkSyncVsMbsync$' -benchtime 1x -timeout 60m -v ./internal/bench

# Store reads over a 100k-message folder (the UI's and `magpie search`'s
# queries), appended to the same page. The 100k database is built once and
# cached in the temp directory by the benchmarks themselves.
doc="${BENCH_DOC:-$PWD/docs/benchmarks.md}"
out=$($GO test -count=1 -run '^$' -bench '^(BenchmarkPage100k|BenchmarkSearch100k|BenchmarkUnreadCounts|BenchmarkThread)$' -benchtime 2s -timeout 30m ./store)
{
	echo
	echo "## Store reads over 100k messages in one folder"
	echo
	echo "Go benchmarks of \`store/\` (\`go test -bench ./store\`), same machine and run. Goals from the sync issue:"
	echo "a page of a 100k folder ≤ 5 ms, a search over 100k messages ≤ 50 ms."
	echo
	echo "| query | time per call |"
	echo "|---|---:|"
	echo "$out" | awk '/^Benchmark/ { name=$1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name); printf "| %s | %.2f ms |\n", name, $3/1e6 }'
} >> "$doc"
echo "$out" | grep '^Benchmark' || true
