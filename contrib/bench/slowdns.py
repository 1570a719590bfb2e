#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""slowdns.py - a UDP DNS relay on 127.0.0.1 that answers late: every
query is forwarded to the fixture server and its answer held back for
DELAY_MS.  The delay can be changed while it runs by writing a number of
milliseconds to CONTROL_FILE (checked every 100 ms).

usage: slowdns.py LISTEN_PORT UPSTREAM_PORT DELAY_MS [CONTROL_FILE]
With SLOWDNS_LOG set, each query is appended to that file as a line
"seconds name type" (to see which lookups a configuration makes, and when).
"""
import asyncio
import os
import sys
import time

LOG = os.environ.get("SLOWDNS_LOG")


def note(data):
    """one line for the query in data: its time, name and type"""
    i, labels = 12, []
    while i < len(data) and data[i] != 0 and len(labels) < 128:
        n = data[i]
        labels.append(data[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    qtype = int.from_bytes(data[i + 1:i + 3], "big") if i + 3 <= len(data) \
        else 0
    with open(LOG, "a") as f:
        f.write("%.3f %s %d\n" % (time.time(), ".".join(labels), qtype))


class Relay(asyncio.DatagramProtocol):
    def __init__(self, up, state):
        self.up, self.state = up, state

    def connection_made(self, t):
        self.t = t

    def datagram_received(self, data, addr):
        if LOG:
            note(data)
        asyncio.ensure_future(self.one(data, addr))

    async def one(self, data, addr):
        loop = asyncio.get_running_loop()
        fut = loop.create_future()

        class Up(asyncio.DatagramProtocol):
            def datagram_received(self, d, a):
                if not fut.done():
                    fut.set_result(d)
        t, _ = await loop.create_datagram_endpoint(
            Up, remote_addr=("127.0.0.1", self.up))
        try:
            t.sendto(data)
            ans = await asyncio.wait_for(fut, 5)
            await asyncio.sleep(self.state["delay"] / 1000.0)
            self.t.sendto(ans, addr)
        except asyncio.TimeoutError:
            pass
        finally:
            t.close()


async def control(path, state):
    while True:
        await asyncio.sleep(0.1)
        try:
            with open(path) as f:
                state["delay"] = int(f.read().strip() or state["delay"])
        except (OSError, ValueError):
            pass


async def main(argv):
    port, up, delay = int(argv[1]), int(argv[2]), int(argv[3])
    state = {"delay": delay}
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: Relay(up, state),
                                        local_addr=("127.0.0.1", port))
    if len(argv) > 4:
        asyncio.ensure_future(control(argv[4], state))
    await asyncio.Event().wait()


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        sys.exit(64)
    asyncio.run(main(sys.argv))
