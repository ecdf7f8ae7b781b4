#!/usr/bin/env bash
# The migration benchmark of `make bench` (after the sync one): uploads an
# internal/corpus mailbox (BENCH_MESSAGES, default 10000) to a user of a
# private loopback Dovecot (mail on tmpfs, /dev/shm, where there is one) and
# copies it into fresh users with `magpie migrate`, mbsync (IMAP→IMAP) and
# `doveadm backup -R` via imapc: into a destination offering MULTIAPPEND and
# into one advertising only "IMAP4rev1 ID IDLE UIDPLUS NAMESPACE"; then the
# no-op re-runs, and Magpie's peak RSS at BENCH_MIGRATE_LARGE messages
# (default 50000; 0 skips). Every tool reaches Dovecot over IMAPS (dsync's
# imapc too); BENCH_MIGRATE_TLS=0 runs them all over plain IMAP;
# BENCH_MIGRATE_ONLY=reduced runs only (b), =reduced-magpie only Magpie
# into (b), =reduced-ab Magpie into (b) with MAGPIE_BIN_B and this build in
# turn, twice (A/B runs; with BENCH_MIGRATE_LARGE=0), =memory Magpie alone
# into (a) at both sizes (the same corpus seed: the small corpus is the
# large one's first BENCH_MESSAGES messages). Writes its
# section of docs/benchmarks.md (between the bench-migrate markers). Never part of `make test`: nothing here asserts
# a timing.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
export BENCH_MESSAGES=${BENCH_MESSAGES:-10000}
export BENCH_MIGRATE_LARGE=${BENCH_MIGRATE_LARGE:-50000}

missing=()
command -v mbsync >/dev/null || missing+=(isync)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench-migrate: missing ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "bench-migrate: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v dovecot >/dev/null && [ ! -x /usr/sbin/dovecot ]; then
	bash scripts/test-deps.sh
fi

mkdir -p .cache/bench
$GO build -ldflags "-X main.version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)" -o .cache/bench/magpie .

MAGPIE_BENCH_MIGRATE=1 \
MAGPIE_BIN="$PWD/.cache/bench/magpie" \
BENCH_DOC="${BENCH_DOC:-$PWD/docs/benchmarks.md}" \
	$GO test -count=1 -run '^$' -bench '^BenchmarkMigrate$' -benchtime 1x -timeout 60m -v ./internal/bench
