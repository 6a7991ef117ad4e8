#!/bin/sh
# Runs every libFuzzer harness $FLOWSPECD_BIN/fuzz_* (built with
# -DFLOWSPECD_FUZZ=ON) for FUZZ_SECONDS each (default 30) over a copy of its
# seed corpus tests/fuzz/corpus/<name without fuzz_>/ in a temporary
# directory; nothing is written into the repository. Prints one line per
# harness:
#   PASS: fuzz_nlri (123456 runs)
#   FAIL: fuzz_nlri: crash, see /tmp/fuzz.XXXX/crash-<sha1>
# and exits non-zero when any harness failed or none was built. The failing
# input (and the log next to it) is kept; the directories of passing runs
# are removed. Reproduce a failure with: $FLOWSPECD_BIN/fuzz_nlri <path>
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${FLOWSPECD_BIN:-$here/../../build/bin}
seconds=${FUZZ_SECONDS:-30}
# The harnesses run from their work directory: make the path absolute.
if [ -d "$bin" ]; then
	bin=$(cd "$bin" && pwd)
fi

found=0
failed=0
for harness in "$bin"/fuzz_*; do
	[ -x "$harness" ] || continue
	found=1
	name=$(basename "$harness")
	work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX") || exit 1
	mkdir "$work/corpus"
	seeds="$here/corpus/${name#fuzz_}"
	if [ -d "$seeds" ]; then
		cp -R "$seeds/." "$work/corpus/"
	fi
	# Run from the work directory so nothing lands in the caller's one.
	(cd "$work" && "$harness" -max_len=4200 -timeout=10 \
		-rss_limit_mb=2048 -max_total_time="$seconds" \
		-print_final_stats=1 -artifact_prefix="$work/" \
		"$work/corpus" >"$work/log" 2>&1)
	rc=$?
	artifact=
	for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-* \
		"$work"/oom-* "$work"/slow-unit-*; do
		if [ -e "$f" ]; then
			artifact=$(basename "$f")
			break
		fi
	done
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" |
		tail -n 1)
	if [ -n "$artifact" ]; then
		echo "FAIL: $name: ${artifact%%-*}, see $work/$artifact (log: $work/log)"
		failed=1
	elif [ "$rc" -ne 0 ]; then
		echo "FAIL: $name: exit status $rc, see $work/log"
		failed=1
	else
		echo "PASS: $name (${runs:-?} runs)"
		rm -rf "$work"
	fi
done

if [ "$found" -eq 0 ]; then
	echo "FAIL: fuzz: no fuzz harness built"
	echo "  (none in $bin: CC=clang cmake -B build-fuzz -DFLOWSPECD_FUZZ=ON)" >&2
	exit 1
fi
exit "$failed"
