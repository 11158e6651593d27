#!/usr/bin/env python3
"""The benchmark's upstream: GET anything → a fixed ~1 KB JSON body after DELAY_MS.

Usage: sources_upstream.py PORT [DELAY_MS]. Threaded, so a slow answer does not
hold up the next request. Only refreshes reach it; the measured path is the cache.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
DELAY = (int(sys.argv[2]) if len(sys.argv) > 2 else 0) / 1000.0
BODY = json.dumps({"current": {"temperature_2m": 21.4, "time": "2026-11-26T10:00"},
                   "hourly": [{"h": i, "t": 20 + i % 5, "rain": 0.1 * (i % 3)} for i in range(24)]},
                  separators=(",", ":")).encode()[:1024].ljust(1024, b" ")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server naming)
        if DELAY:
            time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
