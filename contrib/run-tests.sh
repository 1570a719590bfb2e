#!/bin/sh
# run-tests.sh - the full test suite from a fresh Debian 12 machine:
# install dependencies, build, run `make check` (unit suites, fixtures, the
# real corpus, DNS against a private NSD, end-to-end through a private
# Postfix), the same suites under ASan and UBSan, `make distcheck`, a short
# libFuzzer run of every fuzz target, the Debian packages (built,
# installed, used and purged), and the Sendmail end-to-end run.
# Ends with "N passed, N failed" and exits non-zero on any failure.
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

check_in() {
	(cd "$1" && make -j2 check) || {
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
step "fuzz (10 s per target)" env PF_FUZZ_SEED=1 "$top/contrib/fuzz.sh" \
    -s 10 -b "$top/build-fuzz"
# the Debian packages: build, lintian, install here, -n and check on the
# installed files, purge
step "Debian packages (tests/pkg/deb.sh)" "$top/tests/pkg/deb.sh"
for extra in "$top"/tests/e2e/run-*.sh; do
	[ -x "$extra" ] || continue
	step "$(basename "$extra")" "$extra" "$top/build"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
