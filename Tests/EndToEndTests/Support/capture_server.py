#!/usr/bin/env python3
"""A capture server for replay tests: records every request and checks its Wooshpay-Signature independently.

Usage: capture_server.py OUTPUT_FILE SECRET STATUS
Prints the port it listens on (127.0.0.1, chosen by the kernel), then appends one JSON line per request to
OUTPUT_FILE: path, headers, body (base64), received time, and whether Python's hmac verifies the signature.
"""
import base64, hashlib, hmac, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

output, secret, status = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])


def verified(header, body):
    parts = [p.strip().split("=", 1) for p in (header or "").split(",") if "=" in p]
    ts = [v for k, v in parts if k == "t"]
    sigs = [v.lower() for k, v in parts if k == "v1"]
    if len(ts) != 1:
        return False
    expected = hmac.new(secret, ts[0].encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in sigs)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        entry = {
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": base64.b64encode(body).decode(),
            "at": time.time(),
            "python_hmac_ok": verified(self.headers.get("Wooshpay-Signature"), body),
        }
        with open(output, "a") as f:
            f.write(json.dumps(entry) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
