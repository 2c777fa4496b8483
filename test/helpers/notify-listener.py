#!/usr/bin/python3
"""A systemd notification socket for tests: binds an AF_UNIX SOCK_DGRAM socket at argv[1], as
systemd does for NOTIFY_SOCKET, and prints each datagram as one JSON line with the sender's pid
(SCM_CREDENTIALS, the same check systemd makes for NotifyAccess=main) and a monotonic receive time
in milliseconds. Prints {"listening": path} once bound. Stops on SIGTERM or when stdin closes."""
import json
import os
import select
import signal
import socket
import struct
import sys
import time

path = sys.argv[1]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
sock.bind(path)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print(json.dumps({"listening": path}), flush=True)
ucred = struct.Struct("iII")
try:
    while True:
        ready, _, _ = select.select([sock, sys.stdin], [], [])
        if sys.stdin in ready and os.read(sys.stdin.fileno(), 4096) == b"":
            break
        if sock not in ready:
            continue
        data, ancillary, _, _ = sock.recvmsg(4096, socket.CMSG_SPACE(ucred.size))
        pid = None
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = ucred.unpack(payload[: ucred.size])[0]
        text = data.decode("utf-8", "replace")
        print(json.dumps({"pid": pid, "at": time.monotonic() * 1000, "lines": text.split("\n")}), flush=True)
finally:
    os.unlink(path)
