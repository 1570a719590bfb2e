#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# install-deps.sh - install everything preflight needs to build, test and
# run its demo on Debian 12 (bookworm).  Run as root (or through sudo).
# It never configures or starts the system's own MTA: Postfix is installed
# with "No configuration", and the tests run private instances.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi

export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" |
	debconf-set-selections

# Keep package scripts from starting nsd, postfix, opendkim or rspamd on
# their default ports: the tests start private instances themselves.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi

apt-get update -qq
# build: toolchain and libraries (each named in configure.ac)
#   libmilter-dev    milter protocol          libspf2-dev     SPF
#   libopendkim-dev  DKIM                     libunbound-dev  DNS resolver
#   libpsl-dev       Public Suffix List       libidn2-dev     IDNA 2008
#   libgmime-3.0-dev MIME parameters, RFC 2047/2231 decoding
#   libarchive-dev   archive listing          libssl-dev      key checks,
#                                                             doctor --probe
#   libmicrohttpd-dev the daemon's /metrics endpoint (MetricsListen)
#   zlib1g-dev       rotated .gz MTA logs (preflight learn)
#   check            unit tests
#   liblmdb-dev      state store, one host    libhiredis-dev  state in Redis
# test: redis-server (state store), nsd (fixture DNS), postfix (private MTA),
#   miltertest, opendkim-tools,
#   zip/p7zip (archive fixtures), jq (JSON checks), clang (fuzz targets),
#   openssl (doctor's self-signed certificate),
#   logrotate (learn --follow across rotation), chromium (HTML report),
#   curl (scrapes /metrics in tests/e2e/metrics.sh)
# package: debhelper, devscripts, lintian, fakeroot (tests/pkg/deb.sh)
# bench: valgrind (callgrind), time (/usr/bin/time -v)
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake pkg-config ca-certificates \
	check libmilter-dev libspf2-dev libopendkim-dev libunbound-dev \
	libevent-dev nettle-dev libpsl-dev publicsuffix libidn2-dev \
	libgmime-3.0-dev libarchive-dev libssl-dev libmicrohttpd-dev \
	liblmdb-dev libhiredis-dev zlib1g-dev redis-server \
	nsd postfix miltertest opendkim-tools dnsutils zip p7zip-full jq openssl \
	logrotate chromium \
	clang libclang-rt-14-dev python3 iproute2 procps psmisc \
	valgrind time curl debhelper devscripts lintian fakeroot >/dev/null
# Sendmail end-to-end (tests/e2e/run-sendmail.sh): sendmail-bin conflicts
# with postfix, so its .debs are only downloaded and unpacked; install the
# libraries it links, m4 for the .cf, and unshare (util-linux)
apt-get install -y -qq --no-install-recommends \
	m4 util-linux libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 \
	libsasl2-2 libssl3 libwrap0 >/dev/null
echo "install-deps: done"
