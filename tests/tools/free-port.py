#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""free-port.py [--udp] - print a loopback port nobody uses right now.

The port is drawn at random below the kernel's ephemeral range
(net.ipv4.ip_local_port_range, 32768 and up by default).  A port from
bind(("127.0.0.1", 0)) comes from that range, so between the check and the
server's own bind it can be handed to another test's bind(0) or to an
outgoing connection's source port; ports below the range are never handed
out that way, and a random draw makes two tests picking the same one
unlikely.  --udp asks for a port free for both TCP and UDP (a DNS server).
"""
import random
import socket
import sys


def low_end():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free(port, kinds):
    socks = []
    try:
        for kind in kinds:
            s = socket.socket(socket.AF_INET, kind)
            socks.append(s)
            s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        for s in socks:
            s.close()


def main():
    kinds = [socket.SOCK_STREAM]
    if "--udp" in sys.argv[1:]:
        kinds.append(socket.SOCK_DGRAM)
    top = min(low_end(), 32768) - 1
    rng = random.SystemRandom()
    for _ in range(500):
        port = rng.randint(10000, top)
        if free(port, kinds):
            print(port)
            return 0
    print("free-port: no free loopback port found", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
