#!/usr/bin/env bash
# `flowspecd replay --policy tests/policy-attacks.json` on every attack
# capture of pcaps/attacks.json, twice; policy_replay.py compares the
# decisions with the scenarios' ground truth. No network.
#
# Usage: FLOWSPECD_BIN=build/bin tests/interop/policy_replay.sh
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${FLOWSPECD_BIN:-$root/build/bin}
work=$(mktemp -d "${TMPDIR:-/tmp}/policy_replay.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

mkdir "$work/1" "$work/2"
for name in $(python3 -c 'import json,sys
print(" ".join(sorted(json.load(open(sys.argv[1]))["scenarios"])))' \
		"$root/pcaps/attacks.json"); do
	for run in 1 2; do
		if ! timeout 60 "$bin/flowspecd" replay \
			--policy "$root/tests/policy-attacks.json" \
			"$root/pcaps/attack-$name.pcap" \
			>"$work/$run/$name.jsonl" 2>"$work/$run/$name.log"; then
			echo "FAIL: interop/policy_replay/$name/run: exit status" \
				"$?: $(tail -n 3 "$work/$run/$name.log")"
			exit 1
		fi
	done
done
python3 "$here/policy_replay.py" "$root/pcaps/attacks.json" "$work/1" \
	"$work/2"
