#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# install-peers.sh - install what the benchmarks in contrib/bench need on
# top of contrib/install-deps.sh: the peer milters they compare preflight
# with (OpenDKIM, rspamd), the DKIM signer used to build the message set,
# and the plotting tools.  Run as root (or through sudo).  Package scripts
# are kept from starting the peers: the benchmarks run private instances
# with private configuration and never touch /etc.
set -eu

if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi

export DEBIAN_FRONTEND=noninteractive
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
fi

apt-get update -qq
#   opendkim            peer milter, verify mode
#   rspamd              peer milter, through rspamd_proxy in milter mode
#   python3-dkim        signs the benchmark messages (rsa-sha256)
#   gnuplot-nox         scaling plot (SVG)
#   python3-matplotlib  scaling plot (PNG), used when present
#   strace              the loopback TCP stall investigation
#   valgrind            leaks.sh
apt-get install -y -qq --no-install-recommends \
	opendkim rspamd python3 python3-dkim gnuplot-nox python3-matplotlib \
	strace valgrind iproute2 >/dev/null
echo "install-peers: done"
