#!/usr/bin/env bash
# The one test command (CI runs it through .ci/run).
#
# Installs the Debian packages that are missing, builds build-test/ with
# clang (gcc when there is no clang), ASan + UBSan and the fuzz harnesses,
# builds the sources once more with the other compiler (a pass or a
# failure of its own), then runs, in order:
#   1. every unit test program (tests/unit/test_*.c, Check): each Check test
#      counts as one pass or one failure;
#   2. tests/tshark/*.sh, tests/interop/*.sh, tests/fuzz/run.sh: each prints
#      "PASS: name" / "FAIL: name: reason" lines and exits non-zero on any
#      failure; they get FLOWSPECD_BUILD and FLOWSPECD_BIN.
# Full logs go to build-test/logs/. The last line is "N passed, N failed";
# the exit status is 0 only when nothing failed and something passed.
#
# Environment: FLOWSPECD_BUILD_DIR overrides build-test/ (relative to the
# repository root unless absolute).
set -u
shopt -s nullglob

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
BUILD=${FLOWSPECD_BUILD_DIR:-build-test}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/bin
LOGS=$BUILD/logs
SCRIPT_TIMEOUT=900

passed=0
failed=0
started=$(date +%s)

section() { printf '\n== %s [%d s]\n' "$*" "$(($(date +%s) - started))"; }

finish() {
	section "done; logs in $LOGS"
	printf '%d passed, %d failed\n' "$passed" "$failed"
	if ((failed == 0 && passed > 0)); then
		exit 0
	fi
	exit 1
}

# One failure that is not a test's own line: a build, a crash, a timeout.
fail_line() {
	printf 'FAIL: %s\n' "$*"
	failed=$((failed + 1))
}

mkdir -p "$LOGS"

# ---- 1. packages ---------------------------------------------------------

# tests/deps.sh holds the package list and installs what is missing.
if ! "$ROOT/tests/deps.sh" --log "$LOGS/apt.log" test; then
	echo "warning: package installation failed; going on" \
		"(log: $LOGS/apt.log)"
fi

# ---- 2. configure and build ------------------------------------------------

if command -v clang >/dev/null; then
	cc=$(command -v clang)
	fuzz=ON
else
	cc=$(command -v gcc || command -v cc)
	fuzz=OFF
fi
# A build tree configured with another compiler cannot be switched over.
cache=$BUILD/CMakeCache.txt
if [ -f "$cache" ] &&
	! grep -qx "CMAKE_C_COMPILER:[A-Z]*=$cc" "$cache"; then
	rm -rf "$cache" "$BUILD/CMakeFiles"
fi
generator=()
[ -f "$cache" ] || generator=(-G "Unix Makefiles")

section "configure $BUILD ($(basename "$cc"), sanitizers, fuzz $fuzz)"
if ! cmake -S "$ROOT" -B "$BUILD" "${generator[@]}" \
	-DCMAKE_C_COMPILER="$cc" -DFLOWSPECD_SANITIZE=ON \
	-DFLOWSPECD_FUZZ="$fuzz" >"$LOGS/configure.log" 2>&1; then
	tail -n 30 "$LOGS/configure.log"
	fail_line "configure: cmake failed (log: $LOGS/configure.log)"
	finish
fi

section "build"
# The unit tests this run expects, fixed before the build looks for them.
unit_sources=(tests/unit/test_*.c)
# No stale program may stand in for one that no longer builds.
rm -f "$BIN"/*
if cmake --build "$BUILD" -j2 -- -k >"$LOGS/build.log" 2>&1; then
	echo "built: $(cd "$BIN" && echo *)"
else
	grep -E 'error|Error|undefined reference' "$LOGS/build.log" |
		head -n 40
	fail_line "build: some targets failed (log: $LOGS/build.log)"
fi

# The same sources once more with the other compiler (gcc after clang;
# the default build type, -Werror): each warns about things the other
# misses. Only built, not run.
case $(basename "$cc") in clang*) other=gcc ;; *) other=clang ;; esac
if command -v "$other" >/dev/null; then
	section "build $BUILD/$other (-Werror)"
	if { cmake -S "$ROOT" -B "$BUILD/$other" \
		-DCMAKE_C_COMPILER="$(command -v "$other")" &&
		cmake --build "$BUILD/$other" -j2; } \
		>"$LOGS/build-$other.log" 2>&1; then
		echo "PASS: build/$other"
		passed=$((passed + 1))
	else
		grep -E 'error|Error|undefined reference' \
			"$LOGS/build-$other.log" | head -n 40
		fail_line "build/$other: failed (log: $LOGS/build-$other.log)"
	fi
fi

# ---- 3. unit tests ---------------------------------------------------------

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export CK_VERBOSITY=normal
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-5}

section "unit tests"
for src in "${unit_sources[@]}"; do
	name=$(basename "$src" .c)
	exe=$BIN/$name
	log=$LOGS/$name.log
	if [ ! -x "$exe" ]; then
		fail_line "$name: did not build"
		continue
	fi
	timeout "$SCRIPT_TIMEOUT" "$exe" >"$log" 2>&1 </dev/null
	rc=$?
	# "100%: Checks: 12, Failures: 0, Errors: 0", one per runner.
	read -r checks fails < <(sed -nE \
		's/^[0-9]+%: Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/p' \
		"$log" | awk '{c += $1; f += $2 + $3} END {print c + 0, f + 0}')
	if ((checks == 0)); then
		tail -n 20 "$log"
		fail_line "$name: exited with status $rc and no Check summary" \
			"(log: $log)"
		continue
	fi
	passed=$((passed + checks - fails))
	failed=$((failed + fails))
	echo "$name: $(grep -E '^[0-9]+%: Checks:' "$log" | tail -n 1)"
	# The failing checks and what the sanitizers said.
	grep -E ':[FE]:|runtime error|ERROR: (Address|Leak)Sanitizer' \
		"$log" | awk '!seen[$0]++' | head -n 30
	if ((rc != 0 && fails == 0)); then
		tail -n 20 "$log"
		fail_line "$name: exited with status $rc after its checks" \
			"(log: $log)"
	fi
done

# ---- 4. script suites ------------------------------------------------------

export FLOWSPECD_BUILD=$BUILD
export FLOWSPECD_BIN=$BIN

scripts=(tests/tshark/*.sh tests/interop/*.sh)
[ -f tests/fuzz/run.sh ] && scripts+=(tests/fuzz/run.sh)
for script in "${scripts[@]}"; do
	# A lib.sh holds helpers the scripts beside it source; not a test.
	[[ $script == */lib.sh ]] && continue
	section "$script"
	log=$LOGS/$(echo "${script#tests/}" | tr '/' '-').log
	# Live on the terminal: only the verdict lines; all of it in the log.
	timeout "$SCRIPT_TIMEOUT" bash "$script" </dev/null 2>&1 |
		tee "$log" | grep --line-buffered -E '^(PASS|FAIL|SKIP)'
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
	if ((rc != 0)); then
		tail -n 15 "$log" | sed 's/^/  | /'
		if ((rc == 124)); then
			fail_line "$script: timed out after ${SCRIPT_TIMEOUT} s" \
				"(log: $log)"
		elif ((f == 0)); then
			fail_line "$script: exited with status $rc (log: $log)"
		fi
	elif ((p + f == 0)); then
		echo "warning: $script printed no PASS or FAIL line"
	fi
done

finish
