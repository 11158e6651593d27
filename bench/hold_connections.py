#!/usr/bin/env python3
"""Opens COUNT keep-alive connections, sends one GET PATH on each, reads the
answer, then holds them all open until it is stopped (SIGTERM) or 5 minutes pass.

Usage: hold_connections.py PORT COUNT PATH
Prints "open N" once every connection has had its answer, so the caller can
measure the server's memory with COUNT live sessions.
"""
import socket
import sys
import time

PORT = int(sys.argv[1])
COUNT = int(sys.argv[2])
PATH = sys.argv[3]
REQUEST = f"GET {PATH} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()

conns = []
for _ in range(COUNT):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    s.sendall(REQUEST)
    conns.append(s)
answered = 0
for s in conns:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    if data.startswith(b"HTTP/1.1 200"):
        answered += 1
print(f"open {answered}", flush=True)
time.sleep(300)
