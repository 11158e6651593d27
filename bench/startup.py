#!/usr/bin/env python3
"""Start-to-ready time of homectl: spawn → first 200 from /ready.

Usage: startup.py RUNS PORT CPU HOMECTL serve --config FILE
Polls /ready every ~1 ms from the moment the process is spawned (a refused
connection costs microseconds, so the resolution is the poll interval), stops
the process with SIGTERM, and prints each run's milliseconds and the median.
"""
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time

RUNS = int(sys.argv[1])
PORT = int(sys.argv[2])
CPU = sys.argv[3]
COMMAND = ["taskset", "-c", CPU] + sys.argv[4:]
DEADLINE_S = 10.0


def ready():
    try:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
        conn.request("GET", "/ready")
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except OSError:
        return False


def one_run():
    started = time.monotonic()
    proc = subprocess.Popen(COMMAND, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not ready():
            if proc.poll() is not None:
                sys.exit(f"startup: homectl exited with {proc.returncode} before it was ready")
            if time.monotonic() - started > DEADLINE_S:
                sys.exit(f"startup: /ready did not answer 200 within {DEADLINE_S:.0f} s")
            time.sleep(0.001)
        return (time.monotonic() - started) * 1000.0
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=DEADLINE_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


times = [one_run() for _ in range(RUNS)]
print("runs_ms " + " ".join(f"{t:.1f}" for t in times))
print(f"median_ms {statistics.median(times):.1f}")
