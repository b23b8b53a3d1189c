#!/usr/bin/env python3
"""Tiny signaling + results server for tools/capture-browsers.

Serves tools/capture/web/ and a mailbox API:
  POST /signal/ROOM/ROLE   store a JSON body          GET /signal/ROOM/ROLE  200 body or 404
  POST /result/ROOM/ROLE   store the peer's results   (written to OUTDIR/ROLE.json)
Exits by itself after --timeout seconds or when every expected result arrived.
Python's http.server does the HTTP; json does the JSON.
"""
import argparse
import http.server
import json
import os
import sys
import threading

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=8642)
ap.add_argument("--bind", default="127.0.0.1")
ap.add_argument("--out", required=True)
ap.add_argument("--expect", type=int, default=2, help="results to wait for")
ap.add_argument("--timeout", type=float, default=90)
args = ap.parse_args()
WEB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "web")
box = {}
results = {}
done = threading.Event()


class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **kw):
        super().__init__(*a, directory=WEB, **kw)

    def log_message(self, fmt, *a):
        pass

    def _send(self, code, body=b"", ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 3 and parts[0] == "signal":
            v = box.get((parts[1], parts[2]))
            return self._send(200, v) if v is not None else self._send(404)
        return super().do_GET()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n > 4 << 20:
            return self._send(413)
        body = self.rfile.read(n)
        parts = self.path.strip("/").split("/")
        try:
            json.loads(body)
        except ValueError:
            return self._send(400)
        if len(parts) == 3 and parts[0] == "signal":
            box[(parts[1], parts[2])] = body
            return self._send(204)
        if len(parts) == 3 and parts[0] == "result":
            results[parts[2]] = json.loads(body)
            with open(os.path.join(args.out, parts[2] + ".json"), "w") as f:
                json.dump(results[parts[2]], f, indent=1)
            if len(results) >= args.expect:
                done.set()
            return self._send(204)
        return self._send(404)


srv = http.server.ThreadingHTTPServer((args.bind, args.port), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
print(f"signal: serving on {args.bind}:{args.port}", flush=True)
ok = done.wait(args.timeout)
srv.shutdown()
print("signal: " + ("all results in" if ok else f"timeout, got {sorted(results)}"), flush=True)
sys.exit(0 if ok else 1)
