#!/usr/bin/env bash
# The calendar benchmark of `make bench`: the month view over 1,000 events
# (100 repeating), then the initial sync of BENCH_EVENTS (default 5000)
# events from a loopback Radicale against vdirsyncer (Debian package,
# installed when missing) syncing the same calendar in the same run, and a
# no-op resync. Writes its section of docs/benchmarks.md between the
# bench-calendar markers. Never part of `make test`: nothing asserts a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
missing=()
command -v vdirsyncer >/dev/null || missing+=(vdirsyncer)
command -v radicale >/dev/null || missing+=(radicale)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench-calendar: missing ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "bench-calendar: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

MAGPIE_BENCH_CALENDAR=1 \
BENCH_DOC="${BENCH_DOC:-$PWD/docs/benchmarks.md}" \
	$GO test -count=1 -run '^$' -bench '^BenchmarkCalendarVsVdirsyncer$' -benchtime 1x -timeout 30m -v ./internal/bench
