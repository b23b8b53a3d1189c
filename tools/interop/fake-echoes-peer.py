#!/usr/bin/env python3
"""fake-echoes-peer.py - a stand-in implementation of the webrtc-echoes
contract for testing `rtcgate interop`'s relay (tools/tests/interop_echoes.sh)
without `rtcgate peer`: a headless Chromium acting behind the contract.

It takes the `rtcgate peer` command line (the runner's rtcgate participant
with --rtcgate PATH) or, with no arguments, the RTG_INTEROP_* environment of
an external implementation declared with "signaling": "echoes":

  PATH peer --listen ADDR:PORT [--sessions 1]  answerer: serves POST /offer
  PATH peer --offer-to URL                     offerer: POSTs its offer there
  --expect LIST --json FILE --keylog FILE --timeout S (others ignored)

The Chromium page answers (or creates) the offer, echoes every data channel
message (answerer) or sends 1 B .. 64 KiB and checks the echoes (offerer).
Only ice, dtls and datachannel expectations: anything else exits 127
(unsupported). Exit 0 when the expectations were met, 1 otherwise, 2 for
usage errors; SIGTERM ends an answerer with the verdict so far.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = r"""<!doctype html><meta charset="utf-8"><pre id="log"></pre><script>
'use strict';
const log = s => { document.getElementById('log').textContent += s + '\n'; };
const post = (p, o) => fetch(p, {method: 'POST', body: JSON.stringify(o)});
const sleep = ms => new Promise(r => setTimeout(r, ms));
async function gathered(pc) {
  for (let i = 0; i < 250 && pc.iceGatheringState !== 'complete'; i++) await sleep(20);
}
async function main() {
  const job = await (await fetch('/job')).json();
  const pc = new RTCPeerConnection();
  let connected = false;
  pc.onconnectionstatechange = () => {
    log('pc ' + pc.connectionState);
    if (pc.connectionState === 'connected') { connected = true; post('/state', {connected}); }
    if (pc.connectionState === 'failed') post('/done', {ok: false, why: 'failed'});
  };
  if (job.mode === 'answer') {
    let echoed = 0;
    pc.ondatachannel = e => {
      const dc = e.channel;
      dc.binaryType = 'arraybuffer';
      dc.onmessage = m => { dc.send(m.data); echoed++; post('/state', {connected, echoed}); };
    };
    let offer = null;
    while (!offer) {
      const r = await fetch('/next');
      if (r.status === 200) offer = await r.json(); else await sleep(30);
    }
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await post('/answer', {type: 'answer', sdp: pc.localDescription.sdp});
  } else {
    const dc = pc.createDataChannel('echo', {ordered: true});
    dc.binaryType = 'arraybuffer';
    const q = [];
    let waiter = null;
    dc.onmessage = m => { if (waiter) { const w = waiter; waiter = null; w(m.data); } else q.push(m.data); };
    const recv = ms => q.length ? Promise.resolve(q.shift()) : new Promise(res => {
      const t = setTimeout(() => { waiter = null; res(undefined); }, ms);
      waiter = d => { clearTimeout(t); res(d); };
    });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const r = await fetch('/relay', {method: 'POST', body: JSON.stringify(pc.localDescription)});
    if (r.status !== 200) return post('/done', {ok: false, why: 'relay ' + r.status});
    await pc.setRemoteDescription(await r.json());
    const open = await new Promise(res => {
      dc.onopen = () => res(true);
      setTimeout(() => res(dc.readyState === 'open'), job.timeout_ms);
    });
    if (!open) return post('/done', {ok: false, why: 'channel did not open'});
    if (!job.expect.includes('datachannel')) {
      // the channel can open before connectionstatechange reports
      // 'connected': wait for it (bounded), so /state precedes /done
      for (let i = 0; i < 100 && pc.connectionState !== 'connected'; i++)
        await new Promise(r => setTimeout(r, 20));
      connected = pc.connectionState === 'connected';
      await post('/state', {connected});
      return post('/done', {ok: connected});
    }
    let ok = 0, n = 0;
    for (let sz = 1; sz <= 65536; sz *= 4, n++) {
      const b = new Uint8Array(sz);
      for (let i = 0; i < sz; i++) b[i] = (i * 7 + sz) & 255;
      dc.send(b);
      const d = await recv(5000);
      if (d instanceof ArrayBuffer && d.byteLength === sz &&
          new Uint8Array(d).every((x, i) => x === b[i])) ok++;
    }
    post('/done', {ok: ok === n, echoed: ok, of: n});
  }
}
main().catch(e => post('/done', {ok: false, why: String(e)}));
</script>"""


def usage(msg):
    sys.stderr.write("fake-echoes-peer: %s\n" % msg)
    sys.exit(2)


def parse():
    a = sys.argv[1:]
    o = {"mode": None, "listen": None, "offer_to": None, "expect": "ice,dtls,datachannel",
         "json": None, "timeout": 20.0}
    if not a:  # an external implementation: the runner's environment
        e = os.environ
        role = e.get("RTG_INTEROP_ROLE", "")
        o["mode"] = "answer" if role == "answer" else "offer"
        o["listen"] = e.get("RTG_INTEROP_LISTEN")
        o["offer_to"] = e.get("RTG_INTEROP_OFFER_URL")
        o["expect"] = e.get("RTG_INTEROP_EXPECT", o["expect"])
        o["json"] = e.get("RTG_INTEROP_JSON")
        o["timeout"] = float(e.get("RTG_INTEROP_TIMEOUT", "20"))
        return o
    if a[0] != "peer":
        usage("the first argument must be 'peer'")
    i = 1
    while i < len(a):
        k = a[i]
        v = a[i + 1] if i + 1 < len(a) else None
        if k in ("--quiet", "--help", "--relay-only"):
            if k == "--help":
                print(__doc__)
                sys.exit(0)
            i += 1
            continue
        if v is None:
            usage("%s needs a value" % k)
        if k == "--listen":
            o["mode"], o["listen"] = "answer", v
        elif k == "--offer-to":
            o["mode"], o["offer_to"] = "offer", v
        elif k == "--expect":
            o["expect"] = v
        elif k == "--json":
            o["json"] = v
        elif k == "--timeout":
            o["timeout"] = float(v)
        i += 2
    if o["mode"] is None:
        usage("--listen or --offer-to is required")
    return o


def main():
    o = parse()
    expect = [x for x in o["expect"].split(",") if x]
    if any(x not in ("ice", "dtls", "datachannel") for x in expect):
        sys.stderr.write("fake-echoes-peer: unsupported expectation in %s\n" % o["expect"])
        sys.exit(127)
    st = {"offer": None, "answer": None, "done": None, "connected": False, "echoed": 0,
          "busy": False}
    cv = threading.Condition()
    t0 = time.monotonic()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, code, body, ctype="application/json"):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("Content-Length", "0"))
            return json.loads(self.rfile.read(n) or b"{}")

        def do_GET(self):
            if self.path.startswith("/fake.html"):
                return self.reply(200, PAGE, "text/html")
            if self.path == "/job":
                return self.reply(200, json.dumps({"mode": o["mode"], "expect": expect,
                                                   "timeout_ms": int(o["timeout"] * 1000)}))
            if self.path == "/next":
                with cv:
                    if st["offer"] is None:
                        return self.reply(204, "")
                    return self.reply(200, json.dumps(st["offer"]))
            self.reply(404, "{}")

        def do_POST(self):
            try:
                b = self.body()
            except ValueError:
                return self.reply(400, "{}")
            if self.path == "/offer" and o["mode"] == "answer":
                with cv:
                    if st["busy"]:
                        return self.reply(409, '{"error":"busy"}')
                    st["busy"] = True
                    st["offer"] = b
                    cv.notify_all()
                    cv.wait_for(lambda: st["answer"] is not None, timeout=15)
                    ans = st["answer"]
                if ans is None:
                    return self.reply(503, '{"error":"no answer"}')
                return self.reply(200, json.dumps(ans))
            if self.path == "/answer":
                with cv:
                    st["answer"] = b
                    cv.notify_all()
                return self.reply(200, "{}")
            if self.path == "/relay" and o["mode"] == "offer":
                req = urllib.request.Request(o["offer_to"], data=json.dumps(b).encode(),
                                             headers={"Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(req, timeout=15) as r:
                        return self.reply(200, r.read())
                except Exception as e:  # the runner's reply, forwarded as a failure
                    sys.stderr.write("fake-echoes-peer: POST %s: %s\n" % (o["offer_to"], e))
                    return self.reply(502, "{}")
            if self.path == "/state":
                with cv:
                    st["connected"] = st["connected"] or bool(b.get("connected"))
                    st["echoed"] = max(st["echoed"], int(b.get("echoed", 0)))
                return self.reply(200, "{}")
            if self.path == "/done":
                with cv:
                    if st["done"] is None:
                        st["done"] = b
                    cv.notify_all()
                return self.reply(200, "{}")
            self.reply(404, "{}")

    if o["mode"] == "answer":
        host, _, port = (o["listen"] or "127.0.0.1:8643").rpartition(":")
        addr = (host or "127.0.0.1", int(port))
    else:
        addr = ("127.0.0.1", 0)
    try:
        srv = ThreadingHTTPServer(addr, H)
    except OSError as e:
        usage("cannot listen on %s:%d: %s" % (addr[0], addr[1], e))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    if o["mode"] == "answer":
        sys.stderr.write("rtcgate peer: listening on http://%s:%d/offer\n" % (addr[0], port))
    prof = tempfile.mkdtemp(prefix="fake-peer-")
    browser = subprocess.Popen(
        [os.environ.get("FAKE_PEER_BROWSER", "chromium"), "--headless", "--no-sandbox",
         "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-features=WebRtcHideLocalIpsWithMdns", "--user-data-dir=" + prof,
         "http://127.0.0.1:%d/fake.html" % port],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    stop = {"term": False}

    def on_term(sig, frm):
        stop["term"] = True
        with cv:
            cv.notify_all()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    deadline = t0 + o["timeout"] + 10
    with cv:
        while st["done"] is None and not stop["term"] and time.monotonic() < deadline:
            cv.wait(0.2)
    done = st["done"] or {}
    if o["mode"] == "answer" and not st["done"]:
        # ended by the runner: the verdict so far
        ok = st["connected"] and ("datachannel" not in expect or st["echoed"] > 0)
    else:
        ok = bool(done.get("ok")) and (st["connected"] or "ice" not in expect)
    try:
        os.killpg(browser.pid, signal.SIGKILL)
    except OSError:
        pass
    browser.wait()
    shutil.rmtree(prof, ignore_errors=True)
    if o["json"]:
        with open(o["json"], "w") as f:
            json.dump({"implementation": "fake-echoes-peer", "mode": o["mode"],
                       "connected": st["connected"], "echoed": st["echoed"], "done": done,
                       "ok": ok}, f)
    if not ok:
        sys.stderr.write("fake-echoes-peer: expectation failed: %s\n" % json.dumps(done))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
