#!/bin/sh
# Installs the Debian packages internal/testenv runs as test peers (Dovecot,
# Postfix, Radicale, Xandikos, gnome-keyring on a private D-Bus, ...), only
# those that are missing. Idempotent and quiet; run by `make test` as root on
# a fresh Debian 12.
#
# - Asks apt only for what dpkg-query says is missing; `apt-get update` runs
#   at most once, and only then.
# - Non-interactive; Postfix is preseeded to "No configuration".
# - Package scripts must not start system-wide daemons on public addresses:
#   a /usr/sbin/policy-rc.d that exits 101 is put in place for the install
#   when none exists (and removed again afterwards). Should a dovecot,
#   postfix or radicale process appear anyway during the install, it is
#   stopped; daemons that ran before are left alone.
# - Not root and something missing: says what and exits 0 (the tests skip,
#   or fail under CI=true).
set -eu

PACKAGES="dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-sieve dovecot-managesieved
postfix radicale xandikos gnome-keyring dbus libsecret-tools tmux isync"

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$status" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "test-deps: not root; missing Debian packages:$(printf ' %s' $missing)"
	echo "test-deps: tests needing them will skip (sudo scripts/test-deps.sh installs them)"
	exit 0
fi

log=$(mktemp /tmp/magpie-test-deps.XXXXXX)
policy=/usr/sbin/policy-rc.d
created_policy=""

# pids_of prints the pids of processes named $1 (for "master", only Postfix's).
pids_of() {
	for pid in $(pgrep -x "$1" 2>/dev/null || true); do
		if [ "$1" = master ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != /usr/lib/postfix/sbin/master ]; then
			continue
		fi
		printf '%s ' "$pid"
	done
}

# stop_new NAME UNIT BEFORE stops the NAME daemons when none ran before the
# install (BEFORE empty): a system-wide daemon that already ran is left alone.
stop_new() {
	[ -n "$3" ] && return 0
	now=$(pids_of "$1")
	[ -z "$now" ] && return 0
	if [ -d /run/systemd/system ]; then
		systemctl stop "$2" >>"$log" 2>&1 || true
	fi
	for pid in $(pids_of "$1"); do
		kill -TERM "$pid" 2>/dev/null || true
	done
	echo "test-deps: stopped the system-wide $2 the install started (pids $now)"
}

cleanup() {
	status=$?
	if [ -n "$created_policy" ]; then
		rm -f "$policy"
	fi
	if [ "$status" -ne 0 ]; then
		echo "test-deps: failed (exit $status); log:" >&2
		tail -n 40 "$log" >&2
	fi
	rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# created by magpie scripts/test-deps.sh for the install only\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	created_policy=yes
fi

before_dovecot=$(pids_of dovecot)
before_master=$(pids_of master)
before_radicale=$(pids_of radicale)

export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections

echo "test-deps: installing:$(printf ' %s' $missing)"
apt-get update -qq >>"$log" 2>&1
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	$missing >>"$log" 2>&1

# Stop daemons the install started despite policy-rc.d (e.g. units started
# by a running systemd directly).
stop_new dovecot dovecot "$before_dovecot"
stop_new master postfix "$before_master"
stop_new radicale radicale "$before_radicale"
echo "test-deps: done"
