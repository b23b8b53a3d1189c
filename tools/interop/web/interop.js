// rtcgate interop page: one participant (offerer or answerer) of one run.
// Contract (README.md here): GET /config/ROLE gives the case; signaling
// messages go out with POST /send/ROLE and come in with GET /recv/ROLE/N;
// the page computes the case's checks and POSTs them with its timings and
// getStats() to /result/ROLE. The runner decides pass/fail from the checks
// it requires and from the replay of the capture.
'use strict';
const params = new URLSearchParams(location.search);
const role = params.get('role') || 'offer';
// the run this page belongs to (the runner's agent opens one frame per run
// and role); every request names it so a late one cannot reach a later run
const base = params.get('run') !== null ? `/run/${params.get('run')}` : '';
const isOffer = role === 'offer';
const T0 = performance.now();
const now = () => performance.now() - T0;
const logEl = document.getElementById('log');
const events = [];
const sleep = ms => new Promise(r => setTimeout(r, ms));
const result = {role, ua: navigator.userAgent, checks: {}, timings: {}, details: {}, events};
let cfg = null, pc = null, deadline = 0, tStart = null, finished = false;
const incoming = [];
const state = {
  everConnected: false, failed: false, localCands: 0, remoteCands: 0, pending: [],
  offers: 0, answers: 0, remoteUfrags: [], sentSdpCandidates: -1, dcOpened: false,
};
const hooks = {};

function log(s) {
  const l = `${(now() / 1000).toFixed(3)} ${s}`;
  events.push(l);
  logEl.textContent += l + '\n';
}
function check(name, ok, detail) {
  result.checks[name] = !!ok;
  if (detail !== undefined) result.details[name] = detail;
  log(`check ${name}: ${ok ? 'ok' : 'FAIL'}${detail !== undefined ? ' ' + JSON.stringify(detail) : ''}`);
}
function mark(name, value) {
  if (result.timings[name] !== undefined) return;
  if (value === undefined) {
    if (tStart === null) return;
    value = now() - tStart;
  }
  result.timings[name] = Math.round(value * 10) / 10;
  log(`timing ${name} ${result.timings[name]} ms`);
}
const remaining = () => Math.max(0, deadline - Date.now());
function waitFor(pred, ms) {
  return new Promise(res => {
    const end = Date.now() + ms;
    (function tick() {
      if (pred()) return res(true);
      if (Date.now() >= end) return res(false);
      setTimeout(tick, 20);
    })();
  });
}

// ---- signaling -------------------------------------------------------------
let sendChain = Promise.resolve();
function signal(msg) {
  sendChain = sendChain
    .then(() => fetch(`${base}/send/${role}`, {method: 'POST', body: JSON.stringify(msg)}))
    .catch(e => log('signal error ' + e));
  return sendChain;
}
let rxIndex = 0;
async function rxLoop() {
  for (;;) {
    let msgs = [];
    try {
      const r = await fetch(`${base}/recv/${role}/${rxIndex}`, {cache: 'no-store'});
      if (r.ok) msgs = await r.json();
    } catch (e) {
      log('recv error ' + e);
      await sleep(200);
    }
    for (const m of msgs) {
      rxIndex++;
      try {
        await onMessage(m);
      } catch (e) {
        log(`error handling ${m.type}: ${e}`);
        result.details.signaling_error = String(e);
      }
    }
    if (!msgs.length) await sleep(30);
  }
}
const ufragOf = sdp => ((sdp || '').match(/a=ice-ufrag:(\S+)/) || [])[1];
const countCandidates = sdp => ((sdp || '').match(/^a=candidate:/gm) || []).length;

// Gathering is complete and the description carries candidates (after an
// ICE restart the state can still say "complete" from the old generation).
function gathered() {
  return waitFor(() => pc.iceGatheringState === 'complete' &&
                       countCandidates(pc.localDescription.sdp) > 0, 5000);
}
// Non-trickle: the SDP is sent once gathering is complete, with every
// candidate. Trickle: the SDP from createOffer/createAnswer (no candidates),
// candidates follow as messages.
async function describe(desc) {
  await pc.setLocalDescription(desc);
  if (cfg.trickle) return desc.sdp;
  await gathered();
  return pc.localDescription.sdp;
}
async function sendOffer(opts) {
  if (tStart === null) tStart = now();
  const sdp = await describe(await pc.createOffer(opts));
  if (state.sentSdpCandidates < 0) state.sentSdpCandidates = countCandidates(sdp);
  await signal({type: 'offer', sdp});
}
async function onMessage(m) {
  if (m.type === 'offer') {
    state.offers++;
    state.remoteUfrags.push(ufragOf(m.sdp));
    if (tStart === null) tStart = now();
    await pc.setRemoteDescription({type: 'offer', sdp: m.sdp});
    for (const c of state.pending.splice(0)) await pc.addIceCandidate(c);
    if (hooks.beforeAnswer) await hooks.beforeAnswer();
    const sdp = await describe(await pc.createAnswer());
    if (state.sentSdpCandidates < 0) state.sentSdpCandidates = countCandidates(sdp);
    await signal({type: 'answer', sdp});
  } else if (m.type === 'answer') {
    state.remoteUfrags.push(ufragOf(m.sdp));
    await pc.setRemoteDescription({type: 'answer', sdp: m.sdp});
    state.answers++; // counted once applied: ice-restart reads remoteDescription
    for (const c of state.pending.splice(0)) await pc.addIceCandidate(c);
  } else if (m.type === 'ready') {
    state.peerReady = true;
  } else if (m.type === 'bye') {
    state.bye = true; // the runner: an echoes peer has finished its test
    if (!state.everConnected && cfg.expect_fail) {
      // the peer refused the session, and so did this side
      check('refused', !state.dcOpened, {state: pc.connectionState, by: 'peer ended'});
      finish();
    } else if (!state.everConnected) {
      finish('the peer ended before the session came up');
    }
  } else if (m.type === 'candidate') {
    if (!m.candidate || !m.candidate.candidate) return;
    state.remoteCands++;
    if (!pc.remoteDescription) state.pending.push(m.candidate);
    else await pc.addIceCandidate(m.candidate);
  }
}

// ---- data channels ---------------------------------------------------------
function queued(dc) {
  dc.binaryType = 'arraybuffer';
  dc._q = [];
  dc._w = null;
  dc.onmessage = e => {
    mark('first_message');
    if (dc._w) {
      const w = dc._w;
      dc._w = null;
      w(e.data);
    } else {
      dc._q.push(e.data);
    }
  };
  return dc;
}
function recv(dc, ms) {
  if (dc._q.length) return Promise.resolve(dc._q.shift());
  return new Promise(res => {
    const t = setTimeout(() => {
      dc._w = null;
      res(undefined);
    }, ms);
    dc._w = d => {
      clearTimeout(t);
      res(d);
    };
  });
}
function markOpen(dc) {
  if (dc.readyState === 'open') mark('dc_open');
  else dc.addEventListener('open', () => mark('dc_open'));
  return dc;
}
function opened(dc) {
  return new Promise(res => {
    if (dc.readyState === 'open') {
      mark('dc_open');
      return res(true);
    }
    dc.addEventListener('open', () => {
      mark('dc_open');
      res(true);
    });
    dc.addEventListener('close', () => res(false));
    setTimeout(() => res(dc.readyState === 'open'), remaining());
  });
}
async function firstIncoming(n = 1) {
  await waitFor(() => incoming.length >= n, remaining());
  return incoming[n - 1];
}
function pattern(size, seed) {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + seed) & 255;
  return b;
}
function sameBytes(a, b) {
  if (!(a instanceof ArrayBuffer)) return false;
  const x = new Uint8Array(a);
  if (x.length !== b.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== b[i]) return false;
  return true;
}
async function sha256(buf) {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, x => x.toString(16).padStart(2, '0')).join('');
}
const median = a => {
  if (!a.length) return undefined;
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- stats -------------------------------------------------------------------
async function statsById() {
  const by = {};
  (await pc.getStats()).forEach(s => (by[s.id] = s));
  return by;
}
async function selectedPair() {
  const by = await statsById();
  let pair = null;
  for (const s of Object.values(by))
    if (s.type === 'transport' && s.selectedCandidatePairId) pair = by[s.selectedCandidatePairId];
  if (!pair)
    for (const s of Object.values(by))
      if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded')))
        pair = pair || s;
  if (!pair) return null;
  const l = by[pair.localCandidateId] || {}, r = by[pair.remoteCandidateId] || {};
  return {local: l.address || l.ip, remote: r.address || r.ip, local_type: l.candidateType,
          remote_type: r.candidateType, protocol: l.protocol};
}
async function inbound(kind) {
  const by = await statsById();
  for (const s of Object.values(by))
    if (s.type === 'inbound-rtp' && (s.kind || s.mediaType) === kind) {
      const codec = s.codecId && by[s.codecId] ? by[s.codecId].mimeType : undefined;
      return {packets: s.packetsReceived || 0, frames: s.framesDecoded, codec};
    }
  return null;
}

// ---- cases ------------------------------------------------------------------
async function connected() {
  const ok = await waitFor(() => state.everConnected || state.failed || state.bye, remaining());
  check('connected', ok && state.everConnected, {state: pc.connectionState});
  return state.everConnected;
}
// The offerer creates its offer once the answerer's page is up, so the
// timings measure the session, not the other browser's start-up.
async function start() {
  if (!isOffer) return;
  await waitFor(() => state.peerReady, remaining());
  await sendOffer();
}

const cases = {
  async handshake() {
    if (isOffer) pc.createDataChannel('handshake');
    await start();
    await connected();
  },

  async datachannel() {
    if (isOffer) {
      const dc = queued(pc.createDataChannel('echo', {ordered: true}));
      await start();
      if (!(await connected())) return;
      check('dc_open', await opened(dc));
      const rtts = [];
      let ok = 0;
      for (let i = 0; i < cfg.sizes.length && dc.readyState === 'open'; i++) {
        const b = pattern(cfg.sizes[i], i);
        const t = performance.now();
        dc.send(b);
        const r = await recv(dc, remaining());
        rtts.push(performance.now() - t);
        if (sameBytes(r, b)) ok++;
        else log(`echo ${i} (${cfg.sizes[i]} B) differs`);
      }
      if (rtts.length) mark('dc_rtt_p50', median(rtts));
      check('echo_all', ok === cfg.sizes.length, {echoed: ok, of: cfg.sizes.length});
    } else {
      if (!(await connected())) return;
      const dc = await firstIncoming();
      check('dc_open', dc && (await opened(dc)));
      let n = 0;
      while (dc && n < cfg.sizes.length) {
        const d = await recv(dc, remaining());
        if (d === undefined) break;
        dc.send(d);
        n++;
      }
      check('echoed_all', n === cfg.sizes.length, {echoed: n});
    }
  },

  async 'datachannel-large'() {
    if (isOffer) {
      const dc = queued(pc.createDataChannel('large', {ordered: true}));
      await start();
      if (!(await connected())) return;
      check('dc_open', await opened(dc));
      const mms = pc.sctp ? pc.sctp.maxMessageSize : 65536;
      const size = Math.min(mms, cfg.large_cap);
      const b = pattern(size, 5);
      const digest = await sha256(b);
      const t = performance.now();
      dc.send(b);
      const r = await recv(dc, remaining());
      let got = {};
      if (r instanceof ArrayBuffer) {
        // an echoes peer sends the message itself back
        got = {len: r.byteLength, sha: await sha256(r)};
      } else {
        try {
          got = JSON.parse(r);
        } catch (e) {
          got = {};
        }
      }
      mark('dc_rtt_p50', performance.now() - t);
      check('large_echo', got.len === size && got.sha === digest,
            {max_message_size: mms, size, capped: size < mms, received: got});
    } else {
      if (!(await connected())) return;
      const dc = await firstIncoming();
      check('dc_open', dc && (await opened(dc)));
      const d = dc ? await recv(dc, remaining()) : undefined;
      const len = d instanceof ArrayBuffer ? d.byteLength : -1;
      if (len >= 0) dc.send(JSON.stringify({len, sha: await sha256(d)}));
      check('large_received', len > 0,
            {len, max_message_size: pc.sctp ? pc.sctp.maxMessageSize : null});
    }
  },

  async 'datachannel-unreliable'() {
    const n = cfg.unreliable_count;
    if (isOffer) {
      const dc = pc.createDataChannel('unreliable', {ordered: false, maxRetransmits: 0});
      await start();
      if (!(await connected())) return;
      check('dc_open', await opened(dc));
      let sent = 0;
      for (let i = 0; i < n && dc.readyState === 'open'; i++) {
        dc.send(`u${i} ` + 'x'.repeat(500));
        sent++;
        if (dc.bufferedAmount > 65536) await sleep(5);
      }
      check('sent_all', sent === n, {sent, ordered: dc.ordered, maxRetransmits: dc.maxRetransmits});
    } else {
      if (!(await connected())) return;
      const dc = await firstIncoming();
      if (!dc) return check('dc_props', false, 'no channel');
      check('dc_props', dc.ordered === false && dc.maxRetransmits === 0,
            {ordered: dc.ordered, maxRetransmits: dc.maxRetransmits});
      let got = 0, valid = true;
      while (got < n) {
        const d = await recv(dc, got ? 2000 : remaining());
        if (d === undefined) break;
        if (typeof d !== 'string' || !/^u\d+ x{500}$/.test(d)) valid = false;
        got++;
      }
      check('received_some', got > 0 && valid, {received: got, of: n, valid});
    }
  },

  async 'datachannel-many'() {
    const chans = [];
    for (let i = 0; i < cfg.negotiated_channels; i++)
      chans.push(queued(pc.createDataChannel(`neg-${i}`, {negotiated: true, id: 300 + i})));
    if (isOffer)
      for (let i = 0; i < cfg.dcep_channels; i++) chans.push(queued(pc.createDataChannel(`dcep-${i}`)));
    await start();
    if (!(await connected())) return;
    if (!isOffer) {
      await waitFor(() => incoming.length >= cfg.dcep_channels, remaining());
      chans.push(...incoming);
    }
    const total = cfg.negotiated_channels + cfg.dcep_channels;
    const open = (await Promise.all(chans.map(opened))).filter(x => x).length;
    check('all_open', open === total && chans.length === total, {open, total});
    if (isOffer) {
      const res = await Promise.all(chans.map(async dc => {
        if (dc.readyState !== 'open') return false;
        dc.send(`ping ${dc.label} ${dc.id}`);
        return (await recv(dc, remaining())) === `ping ${dc.label} ${dc.id}`;
      }));
      check('echo_all', res.filter(x => x).length === total, {echoed: res.filter(x => x).length});
    } else {
      const res = await Promise.all(chans.map(async dc => {
        const d = await recv(dc, remaining());
        if (d === undefined || dc.readyState !== 'open') return false;
        dc.send(d);
        return true;
      }));
      check('echoed_all', res.filter(x => x).length === total, {echoed: res.filter(x => x).length});
    }
  },

  async 'datachannel-close'() {
    if (isOffer) {
      const dc = queued(pc.createDataChannel('closing'));
      await start();
      if (!(await connected())) return;
      check('dc_open', await opened(dc));
      dc.send('hello');
      const ready = await recv(dc, remaining());
      const closed = new Promise(res => {
        dc.onclose = () => res(true);
        setTimeout(() => res(false), remaining());
      });
      dc.close();
      // the page peer says 'ready'; an echoes peer echoes 'hello'
      const want = cfg.peer === 'echoes' ? 'hello' : 'ready';
      check('closed', ready === want && (await closed), {ready, state: dc.readyState});
      const after = queued(pc.createDataChannel('after-close'));
      const ok = await opened(after);
      if (ok) after.send('still there');
      check('alive_after_close', ok && (await recv(after, remaining())) === 'still there');
    } else {
      if (!(await connected())) return;
      const dc = await firstIncoming();
      check('dc_open', dc && (await opened(dc)));
      if (!dc) return;
      const closed = new Promise(res => {
        if (dc.readyState === 'closed') return res(true);
        dc.onclose = () => res(true);
        setTimeout(() => res(false), remaining());
      });
      if ((await recv(dc, remaining())) === 'hello') dc.send('ready');
      check('closed_by_peer', await closed, {state: dc.readyState});
      const after = await firstIncoming(2);
      if (after && (await opened(after))) {
        const d = await recv(after, remaining());
        if (d !== undefined) after.send(d);
      }
    }
  },

  async audio() {
    await media('audio');
  },
  async video() {
    await media('video');
  },

  async 'ice-restart'() {
    if (isOffer) {
      const dc = queued(pc.createDataChannel('restart'));
      await start();
      if (!(await connected())) return;
      check('dc_open', await opened(dc));
      dc.send('before');
      await recv(dc, remaining());
      const local1 = ufragOf(pc.localDescription.sdp), remote1 = ufragOf(pc.remoteDescription.sdp);
      const t = performance.now();
      await sendOffer({iceRestart: true});
      await waitFor(() => state.answers >= 2, remaining());
      const local2 = ufragOf(pc.localDescription.sdp), remote2 = ufragOf(pc.remoteDescription.sdp);
      check('ufrag_changed', state.answers >= 2 && local1 !== local2 && remote1 !== remote2,
            {local: [local1, local2], remote: [remote1, remote2]});
      const ok = await waitFor(() => ['connected', 'completed'].includes(pc.iceConnectionState) &&
                                     pc.connectionState === 'connected', remaining());
      check('reconnected', ok, {ice: pc.iceConnectionState, ms: Math.round(performance.now() - t)});
      dc.send('after');
      check('echo_after', (await recv(dc, remaining())) === 'after');
    } else {
      if (!(await connected())) return;
      const dc = await firstIncoming();
      let n = 0;
      while (dc && n < 2) {
        const d = await recv(dc, remaining());
        if (d === undefined) break;
        dc.send(d);
        n++;
      }
      check('ufrag_changed', state.offers >= 2 && state.remoteUfrags[0] !== state.remoteUfrags.at(-1),
            {offers: state.offers, remote: state.remoteUfrags});
      check('echoed', n === 2, {echoed: n});
    }
  },

  async trickle() {
    if (isOffer) pc.createDataChannel('trickle');
    await start();
    await connected();
    const dc = isOffer ? queued(pc.createDataChannel('trickle-2')) : await firstIncoming();
    check('dc_open', dc && (await opened(dc)));
    // an echoes peer (rtcgate peer --trickle) echoes: one message shows
    // the channel carries data both ways
    if (cfg.peer === 'echoes' && isOffer && dc) {
      dc.send('trickle');
      check('echoed', (await recv(dc, Math.min(3000, remaining()))) === 'trickle');
    }
    await trickleChecks();
  },

  async mdns() {
    await simpleChannel('mdns');
    const sdp = pc.localDescription ? pc.localDescription.sdp : '';
    const names = (sdp.match(/^a=candidate:\S+ \d+ \S+ \d+ \S+\.local /gm) || []).length;
    check('mdns_candidates', names > 0, {local_mdns_candidates: names, pair: await selectedPair()});
  },

  async ipv6() {
    await simpleChannel('ipv6');
    const p = await selectedPair();
    check('selected_ipv6', !!p && String(p.local).includes(':') && String(p.remote).includes(':'), p);
  },

  async relay() {
    await simpleChannel('relay');
    const p = await selectedPair();
    check('selected_relay', !!p && (p.local_type === 'relay' || p.remote_type === 'relay'), p);
  },

  async 'fingerprint-mismatch'() {
    const dc = isOffer ? pc.createDataChannel('fp') : null;
    if (dc) dc.onopen = () => (state.dcOpened = true);
    pc.ondatachannel = () => (state.dcOpened = true);
    await start();
    await waitFor(() => state.failed || state.everConnected || state.dcOpened, remaining());
    // give a half-open side a moment to show it did not accept the peer
    await sleep(Math.min(500, remaining()));
    check('refused', !state.everConnected && !state.dcOpened,
          {state: pc.connectionState, ice: pc.iceConnectionState});
  },
};

// The answerer facing an echoes offerer (rtcgate peer --offer-to, an
// external implementation): it drives the test, this side echoes every
// message on every channel until the runner says the peer is done.
// The session may come up on peer-reflexive candidates before the peer's
// trickled ones arrive: wait for one a little.
async function trickleChecks() {
  await waitFor(() => state.remoteCands > 0, Math.min(3000, remaining()));
  check('trickled', state.sentSdpCandidates === 0, {candidates_in_sdp: state.sentSdpCandidates});
  check('sent_candidates', state.localCands > 0, state.localCands);
  check('got_candidates', state.remoteCands > 0, state.remoteCands);
}
// The answering page of the trickle case facing an echoes offerer: the
// echo server, then the trickle checks.
async function echoTrickle() {
  await echoServer();
  await trickleChecks();
}
async function echoServer() {
  if (!(await connected())) return;
  let echoed = 0, opened_ = 0;
  const serve = async dc => {
    if (!(await opened(dc))) return;
    opened_++;
    for (;;) {
      const d = await recv(dc, 200);
      if (d !== undefined && dc.readyState === 'open') {
        dc.send(d);
        echoed++;
        continue;
      }
      if (dc.readyState !== 'open' || state.bye || remaining() <= 0) return;
    }
  };
  const served = new Set(), all = [];
  while (!state.bye && remaining() > 0 && pc.connectionState !== 'closed') {
    for (const dc of incoming)
      if (!served.has(dc)) {
        served.add(dc);
        all.push(serve(dc));
      }
    await sleep(50);
  }
  check('dc_open', opened_ > 0, {channels: incoming.length, opened: opened_});
  check('echoed_some', echoed > 0, {echoed, bye: !!state.bye});
  if (cfg.case === 'mdns') {
    const sdp = pc.localDescription ? pc.localDescription.sdp : '';
    const names = (sdp.match(/^a=candidate:\S+ \d+ \S+ \d+ \S+\.local /gm) || []).length;
    check('mdns_candidates', names > 0, {local_mdns_candidates: names});
  }
  if (cfg.case === 'ipv6') {
    const p = await selectedPair();
    check('selected_ipv6', !!p && String(p.local).includes(':') && String(p.remote).includes(':'), p);
  }
  if (cfg.case === 'relay') {
    const p = await selectedPair();
    check('selected_relay', !!p && (p.local_type === 'relay' || p.remote_type === 'relay'), p);
  }
}

async function simpleChannel(label) {
  if (isOffer) {
    const dc = queued(pc.createDataChannel(label));
    await start();
    if (!(await connected())) return;
    check('dc_open', await opened(dc));
    dc.send('ping');
    await recv(dc, remaining());
  } else {
    if (!(await connected())) return;
    const dc = await firstIncoming();
    check('dc_open', dc && (await opened(dc)));
    const d = dc ? await recv(dc, remaining()) : undefined;
    if (d !== undefined) dc.send(d);
  }
}

async function media(kind) {
  const stream = await navigator.mediaDevices.getUserMedia(
    kind === 'audio' ? {audio: true} : {video: {width: 320, height: 240}});
  const track = stream.getTracks()[0];
  const want = kind === 'audio' ? 'audio/opus' : 'video/vp8';
  // No setCodecPreferences: Firefox 153 then offers a=rtcp-fb lines for
  // payload types missing from the m= line, which Chromium 156 rejects
  // ("Failed to parse codecs correctly"); both prefer VP8 by default and the
  // check below verifies the codec that was negotiated.
  if (isOffer) {
    pc.addTransceiver(track, {direction: 'sendrecv', streams: [stream]});
  } else {
    hooks.beforeAnswer = async () => {
      for (const tr of pc.getTransceivers()) {
        if (tr.receiver.track.kind !== kind) continue;
        await tr.sender.replaceTrack(track);
        tr.direction = 'sendrecv';
      }
    };
  }
  await start();
  if (!(await connected())) return;
  let st = null;
  while (remaining() > 0) {
    st = await inbound(kind);
    if (st && st.packets > 0) mark('first_media');
    if (st && st.packets > 0 && (kind === 'audio' || st.frames > 0) && st.codec) break;
    await sleep(100);
  }
  check(`${kind}_received`, !!st && st.packets > 0, st);
  check(kind === 'audio' ? 'codec_opus' : 'codec_vp8', !!st && String(st.codec).toLowerCase() === want,
        st && st.codec);
  if (kind === 'video') check('frames_decoded', !!st && st.frames > 0, st && st.frames);
}

// ---- main ------------------------------------------------------------------
async function finish(why) {
  if (finished) return;
  finished = true;
  if (why) result.error = result.error || why;
  const keep = ['inbound-rtp', 'outbound-rtp', 'data-channel', 'transport', 'candidate-pair',
                'local-candidate', 'remote-candidate', 'certificate', 'codec'];
  result.stats = [];
  try {
    (await pc.getStats()).forEach(s => {
      if (keep.includes(s.type)) result.stats.push(s);
    });
  } catch (e) {
    log('getStats: ' + e);
  }
  result.state = pc ? pc.connectionState : 'none';
  result.local = pc && pc.localDescription ? pc.localDescription.sdp : null;
  result.remote = pc && pc.remoteDescription ? pc.remoteDescription.sdp : null;
  result.pair = pc ? await selectedPair().catch(() => null) : null;
  result.sctp = pc && pc.sctp ? {maxMessageSize: pc.sctp.maxMessageSize,
                                 maxChannels: pc.sctp.maxChannels} : null;
  log('done');
  await fetch(`${base}/result/${role}`, {method: 'POST', body: JSON.stringify(result)});
}

// The runner's agent calls this when the run is over, before it removes
// the frame: the session ends now, not when the frame is collected.
window.closeRun = () => {
  try {
    for (const t of pc.getSenders()) if (t.track) t.track.stop();
    pc.close();
  } catch (e) {}
};

async function main() {
  cfg = await (await fetch(`${base}/config/${role}`, {cache: 'no-store'})).json();
  deadline = Date.now() + cfg.timeout_ms;
  setTimeout(() => finish('page deadline reached').catch(() => {}), cfg.timeout_ms + 1000);
  log(`case ${cfg.case} role ${role}`);
  pc = new RTCPeerConnection({iceServers: cfg.ice_servers || [],
                              iceTransportPolicy: cfg.relay ? 'relay' : 'all'});
  pc.onicecandidate = e => {
    if (!e.candidate || !e.candidate.candidate) return;
    state.localCands++;
    if (cfg.trickle) signal({type: 'candidate', candidate: e.candidate.toJSON()});
  };
  pc.oniceconnectionstatechange = () => {
    log('ice ' + pc.iceConnectionState);
    if (['connected', 'completed'].includes(pc.iceConnectionState)) mark('ice_connected');
  };
  pc.onconnectionstatechange = () => {
    log('pc ' + pc.connectionState);
    if (pc.connectionState === 'connected') {
      state.everConnected = true;
      mark('dtls_connected');
    }
    if (pc.connectionState === 'failed') state.failed = true;
  };
  pc.ondatachannel = e => {
    markOpen(e.channel);
    incoming.push(queued(e.channel));
  };
  // dc_open is the first channel's open event, whichever side created it,
  // not the moment the case's code gets to look at the channel
  const create = pc.createDataChannel.bind(pc);
  pc.createDataChannel = (...args) => markOpen(create(...args));
  rxLoop();
  signal({type: 'ready'});
  let fn = cases[cfg.case];
  if (!fn) throw new Error('case not supported by this page: ' + cfg.case);
  if (cfg.peer === 'echoes' && !isOffer && !cfg.media && !cfg.expect_fail)
    fn = cfg.case === 'trickle' ? echoTrickle : echoServer;
  await fn();
}
main().then(() => finish(), e => {
  log('error ' + e);
  result.error = String(e);
  return finish();
}).catch(e => log('finish: ' + e));
