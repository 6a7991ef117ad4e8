#!/usr/bin/env bash
# The one place that installs the Debian packages flowspecd needs (Debian 12).
# tests/run.sh and examples/demo.sh execute it (do not source it).
#
#   tests/deps.sh [--log FILE] [SET]   install what SET needs and is missing
#   tests/deps.sh --list [SET]         print SET's packages, one per line
#
# SET is "test" (default: everything tests/run.sh uses) or "demo" (what
# examples/demo.sh needs: the build and GoBGP). Each package is checked with
# `dpkg -s`; when some are missing, `apt-get update` runs once and
# `apt-get install -y` installs only those (through sudo when not root and
# sudo exists). apt's output goes to FILE, or to a temporary file that is
# shown (last lines) only on failure.
#
# Prints one line ("deps: …"). Exit status: 0 when every package of SET is
# installed afterwards (or when there is no dpkg: then it warns and checks
# nothing), 1 when some are still missing, 2 on a usage error.
set -u

# The build: compilers, CMake, the libraries and Check (the unit tests are
# part of the default build).
BUILD=(cmake gcc pkg-config check libpcap-dev libevent-dev libssl-dev
       libjansson-dev)
# examples/demo.sh: the build plus GoBGP as the router stand-in, python3
# to send the attack's NetFlow (tests/interop/send_exports.py).
DEMO=("${BUILD[@]}" gobgpd python3)
# tests/run.sh: the build with clang and libFuzzer, tshark for the encoding
# checks, the real peers (GoBGP, ExaBGP, FRR's bgpd for the frr profile),
# softflowd and tcpdump for captures, python3 for the check scripts, openssl
# for the HTTP API's test certificate.
TEST=("${BUILD[@]}" clang libclang-rt-14-dev tshark gobgpd exabgp frr
      softflowd tcpdump python3 openssl)

usage() {
	echo "usage: tests/deps.sh [--log FILE] [test|demo]" >&2
	echo "       tests/deps.sh --list [test|demo]" >&2
	exit 2
}

list=0
log=
set_name=test
while (($#)); do
	case $1 in
	--list) list=1 ;;
	--log) (($# >= 2)) || usage; log=$2; shift ;;
	test | demo) set_name=$1 ;;
	*) usage ;;
	esac
	shift
done
if [ "$set_name" = demo ]; then
	packages=("${DEMO[@]}")
else
	packages=("${TEST[@]}")
fi

if ((list)); then
	printf '%s\n' "${packages[@]}"
	exit 0
fi

if ! command -v dpkg >/dev/null; then
	echo "deps: warning: no dpkg (not Debian?): not checking packages" \
		"(${packages[*]})"
	exit 0
fi

missing_packages() {
	local p
	for p in "${packages[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || echo "$p"
	done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]} == 0)); then
	echo "deps: all ${#packages[@]} packages of set '$set_name' are installed"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		sudo=(sudo)
	else
		echo "deps: error: missing ${missing[*]}, and not root (no sudo)"
		exit 1
	fi
fi

tmp_log=
if [ -z "$log" ]; then
	tmp_log=$(mktemp "${TMPDIR:-/tmp}/flowspecd-deps.XXXXXX") || exit 1
	log=$tmp_log
	trap 'rm -f "$tmp_log"' EXIT
fi

if [ -n "$tmp_log" ]; then
	echo "deps: installing ${missing[*]}"
else
	echo "deps: installing ${missing[*]} (apt log: $log)"
fi
{
	"${sudo[@]}" apt-get update &&
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y "${missing[@]}"
} >"$log" 2>&1 </dev/null

mapfile -t still < <(missing_packages)
if ((${#still[@]})); then
	tail -n 15 "$log" | sed 's/^/  | /'
	echo "deps: error: still missing after apt-get install: ${still[*]}"
	exit 1
fi
echo "deps: installed ${missing[*]}"
exit 0
