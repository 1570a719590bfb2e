#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-tests.sh - the full test suite from a fresh Debian 12 machine:
# install dependencies, build, run `make check` (unit suites, fixtures, the
# real corpus, DNS against a private NSD, end-to-end through a private
# Postfix), the same suites under ASan and UBSan, `make distcheck`, a short
# libFuzzer run of every fuzz target, the Debian packages (built,
# installed, used and purged), and the Sendmail end-to-end run.
# Ends with "N passed, N failed" and exits non-zero on any failure.
#
# A skip is a failure: inside make check every test runs through
# tests/no-hidden-skip.sh, and the steps below through the same script, so
# a test or step that exits 77 fails the run unless tests/expected-skips
# lists it with its reason (the one documented place for expected skips).
# The skips that were allowed are printed after each make check.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

"$top/contrib/install-deps.sh" || exit 1

passed=0
failed=0
step() {
	name=$1
	shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
		echo "=== $name: ok"
	else
		failed=$((failed + 1))
		echo "=== $name: FAILED"
	fi
}

build() {
	dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
	    "$top/configure" -q "$@" && make -j2 >/dev/null
	rc=$?
	cd "$top"
	return $rc
}

# skips_in BUILDDIR - the tests make check skipped there (each was allowed by
# tests/expected-skips, or it would have failed)
skips_in() {
	grep -l '^:test-result: SKIP' $(find "$1/tests" -name '*.trs') \
	    2>/dev/null | sed "s|^$1/||; s|\.trs$||; s|^|  expected skip: |"
}

check_in() {
	if (cd "$1" && make -j2 check); then
		skips_in "$1"
		return 0
	fi
	{
		for f in $(find "$1/tests" -name '*.log' 2>/dev/null); do
			grep -q '^FAIL\|^ERROR' "${f%.log}.trs" 2>/dev/null &&
			    { echo "--- $f"; tail -40 "$f"; }
		done
		return 1
	}
}

# the same suites with the sanitizers reporting, not just aborting
check_sanitized() {
	(
		PF_SANITIZED=1
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		export PF_SANITIZED ASAN_OPTIONS UBSAN_OPTIONS
		check_in "$1"
	)
}

step "autoreconf" autoreconf -fi
step "build" build "$top/build"
step "make check" check_in "$top/build"
step "build (asan+ubsan)" build "$top/build-asan" --enable-sanitizers
step "make check (asan+ubsan)" check_sanitized "$top/build-asan"
step "make distcheck" sh -c "cd '$top/build' && make distcheck >distcheck.log 2>&1 || { tail -40 distcheck.log; exit 1; }"
# the fuzz targets under libFuzzer, briefly: the replay in make check runs
# the seeds; this looks for new inputs (contrib/fuzz.sh -s 600 for real runs)
noskip="$top/tests/no-hidden-skip.sh"
step "fuzz (10 s per target)" env PF_FUZZ_SEED=1 \
    "$noskip" "$top/contrib/fuzz.sh" -s 10 -b "$top/build-fuzz"
# the Debian packages: build, lintian, install here, -n and check on the
# installed files, purge
step "Debian packages (tests/pkg/deb.sh)" "$noskip" "$top/tests/pkg/deb.sh"
for extra in "$top"/tests/e2e/run-*.sh; do
	[ -x "$extra" ] || continue
	step "$(basename "$extra")" "$noskip" "$extra" "$top/build"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
