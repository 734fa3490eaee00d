"""A webhook receiver for the webhook tests: an HTTP server on loopback that checks each POST's
Portero-Signature on its own (Python's hmac) with the secret in DIRECTORY/secret, and writes what
it got to DIRECTORY as NNNN.json (headers, body, whether the signature held). DIRECTORY/mode says
how to answer: "ok" (204, the default), "fail" (500) or "hang" (answer nothing for 5 s).
Prints "ready PORT" once it listens; stops when its standard input closes.

usage: webhook_receiver.py DIRECTORY
"""
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

directory = sys.argv[1]
lock = threading.Lock()


def read(name, default):
    try:
        with open(os.path.join(directory, name)) as handle:
            return handle.read().strip()
    except FileNotFoundError:
        return default


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        timestamp = self.headers.get("Portero-Timestamp", "")
        signature = self.headers.get("Portero-Signature", "")
        secret = read("secret", "")
        expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        valid = signature.startswith("v1=") and hmac.compare_digest(signature[3:], expected)
        record = {
            "path": self.path,
            "contentType": self.headers.get("Content-Type", ""),
            "timestamp": timestamp,
            "signature": signature,
            "valid": valid,
            "body": body.decode("utf-8", "replace"),
        }
        with lock:
            count = len([n for n in os.listdir(directory) if n.endswith(".json")])
            path = os.path.join(directory, "%04d.json" % (count + 1))
            with open(path + ".part", "w") as out:
                json.dump(record, out)
            os.rename(path + ".part", path)
        mode = read("mode", "ok")
        if mode == "hang":
            time.sleep(5)
            return
        self.send_response(500 if mode == "fail" else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *arguments):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready %d" % server.server_address[1], flush=True)
while sys.stdin.read(1):
    pass
