// rtcgate capture peer: see index.html for the parameters.
'use strict';
const q = new URLSearchParams(location.search);
const role = q.get('role') || 'offer';
const room = q.get('room') || 'r1';
const msgs = parseInt(q.get('msgs') || '20', 10);
const secs = parseInt(q.get('secs') || '5', 10);
const other = role === 'offer' ? 'answer' : 'offer';
const logEl = document.getElementById('log');
const events = [];
function log(s) {
  events.push(`${(performance.now() / 1000).toFixed(3)} ${s}`);
  logEl.textContent += s + '\n';
}
async function post(path, body) {
  await fetch(path, {method: 'POST', body: JSON.stringify(body)});
}
async function poll(path, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const r = await fetch(path, {cache: 'no-store'});
    if (r.status === 200) return await r.json();
    await new Promise(res => setTimeout(res, 100));
  }
  throw new Error('timeout waiting for ' + path);
}
const sleep = ms => new Promise(res => setTimeout(res, ms));

async function main() {
  const pc = new RTCPeerConnection({iceServers: []});
  const sent = [], received = [];
  let dc;
  pc.oniceconnectionstatechange = () => log('ice ' + pc.iceConnectionState);
  pc.onconnectionstatechange = () => log('pc ' + pc.connectionState);
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
  for (const t of stream.getTracks()) pc.addTrack(t, stream);
  const onMessage = e => received.push(typeof e.data === 'string' ? e.data : `[binary ${e.data.byteLength || e.data.size}]`);
  const dcOpen = new Promise(resolve => {
    if (role === 'offer') {
      dc = pc.createDataChannel('rtcgate-chat', {ordered: true, protocol: 'rtcgate-v1'});
      dc.onopen = resolve;
      dc.onmessage = onMessage;
    } else {
      pc.ondatachannel = e => { dc = e.channel; dc.onmessage = onMessage; dc.onopen = resolve; if (dc.readyState === 'open') resolve(); };
    }
  });
  // Non-trickle: wait for gathering to finish so one SDP carries everything.
  const gathered = () => new Promise(res => {
    if (pc.iceGatheringState === 'complete') return res();
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') res(); };
    setTimeout(res, 5000);
  });
  if (role === 'offer') {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered();
    await post(`/signal/${room}/offer`, pc.localDescription);
    const ans = await poll(`/signal/${room}/answer`, 30000);
    await pc.setRemoteDescription(ans);
  } else {
    const off = await poll(`/signal/${room}/offer`, 30000);
    await pc.setRemoteDescription(off);
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered();
    await post(`/signal/${room}/answer`, pc.localDescription);
  }
  await Promise.race([dcOpen, sleep(20000)]);
  log('datachannel ' + (dc ? dc.readyState : 'none'));
  if (dc && dc.readyState === 'open') {
    for (let i = 0; i < msgs; i++) {
      const m = `${role} message ${i}`;
      dc.send(m);
      sent.push(m);
      if (i % 5 === 4) dc.send(new Uint8Array(1000 + i).fill(i & 255));
      await sleep(50);
    }
  }
  await sleep(secs * 1000);
  const stats = [];
  (await pc.getStats()).forEach(s => {
    if (['inbound-rtp', 'outbound-rtp', 'data-channel', 'transport', 'candidate-pair',
         'local-candidate', 'remote-candidate', 'certificate'].includes(s.type)) stats.push(s);
  });
  await post(`/result/${room}/${role}`, {
    role, ua: navigator.userAgent, local: pc.localDescription, remote: pc.remoteDescription,
    sent, received, events, stats, state: pc.connectionState,
  });
  await sleep(500);
  pc.close();
  log('done');
}
main().catch(e => {
  log('error ' + e);
  post(`/result/${room}/${role}`, {role, error: String(e), events}).catch(() => {});
});
