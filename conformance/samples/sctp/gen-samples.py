#!/usr/bin/env python3
# gen-samples.py [samples|CORPORA_DIR] - writes the SCTP and DCEP samples of
# conformance/samples/{sctp,dcep}/ (default) or the seeds of corpora/sctp_packet
# and corpora/dcep_parse (python3 gen-samples.py corpora), from the RFC layouts.
import struct, os
def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xffffffff
def pad(b): return b + b'\0' * ((4 - len(b) % 4) % 4)
def chunk(t, f, v, padlast=True):
    c = struct.pack('>BBH', t, f, 4 + len(v)) + v
    return pad(c)
def tlv(t, v, last=False):
    b = struct.pack('>HH', t, 4 + len(v)) + v
    return b if last else pad(b)
def packet(vtag, chunks, sport=5000, dport=5000, zero=False):
    p = struct.pack('>HHII', sport, dport, vtag, 0) + b''.join(chunks)
    if not zero:
        c = crc32c(p)
        p = p[:8] + struct.pack('<I', c) + p[12:]
    return p
def dcep_open(ct, prio, rel, label, proto):
    return struct.pack('>BBHIHH', 3, ct, prio, rel, len(label), len(proto)) + label + proto
def hexfile(path, data, comment):
    with open(path, 'w') as f:
        h = data.hex()
        for i in range(0, len(h), 32):
            f.write(' '.join(h[j:j+2] for j in range(i, min(i+32, len(h)), 2)) + '\n')
def init_params():
    return (tlv(0xc000, b'') + tlv(0x8008, bytes([0x82, 0xc0, 0x40])) +
            tlv(0x8001, struct.pack('>I', 1)))
def init(t, tag, tsn, params):
    return chunk(t, 0, struct.pack('>IIHHI', tag, 131072, 1024, 1024, tsn) + params)
S = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '')
out = {}
out['sctp/init-webrtc'] = (packet(0, [init(1, 0x11223344, 1000, init_params())]), 'INIT with Forward-TSN-Supported, Supported Extensions, Zero Checksum Acceptable (RFC 9260 3.3.2, RFC 9653 4)')
out['sctp/init-ack-cookie'] = (packet(0x11223344, [init(2, 0x55667788, 5000, init_params() + tlv(7, bytes(range(40)), last=True))]), 'INIT-ACK with a 40-byte state cookie (RFC 9260 3.3.3)')
out['sctp/cookie-echo-data'] = (packet(0x55667788, [chunk(10, 0, bytes(range(40))), chunk(0, 3, struct.pack('>IHHI', 1000, 0, 0, 50) + dcep_open(0, 256, 0, b'chat', b''))]), 'COOKIE-ECHO bundled with a DATA carrying DCEP OPEN (RFC 9260 5.1, RFC 8832 5.1)')
out['sctp/data-string'] = (packet(0x55667788, [chunk(0, 3, struct.pack('>IHHI', 1001, 0, 1, 51) + b'hello world')]), 'DATA, WebRTC string PPID 51, one fragment (B+E)')
out['sctp/idata-fragment'] = (packet(0x55667788, [chunk(64, 2, struct.pack('>IHHII', 7, 2, 0, 4, 53) + b'\x01' * 32), chunk(64, 5, struct.pack('>IHHII', 8, 2, 0, 4, 1) + b'\x02' * 16)]), 'two I-DATA fragments of one unordered message (RFC 8260 2.1)')
out['sctp/sack-gaps-dups'] = (packet(0x11223344, [chunk(3, 0, struct.pack('>IIHHHHHHI', 1000, 100000, 2, 1, 2, 4, 6, 6, 998))]), 'SACK with two gap blocks and a duplicate TSN (RFC 9260 3.3.4)')
out['sctp/heartbeat'] = (packet(0x11223344, [chunk(4, 0, tlv(1, b'\x00' * 8 + b'\x12\x34\x56\x78'))]), 'HEARTBEAT with Heartbeat Info (RFC 9260 3.3.5)')
out['sctp/forward-tsn'] = (packet(0x11223344, [chunk(192, 0, struct.pack('>IHH', 2000, 1, 5))]), 'FORWARD-TSN skipping stream 1 SSN 5 (RFC 3758 3.2)')
out['sctp/i-forward-tsn'] = (packet(0x11223344, [chunk(194, 0, struct.pack('>IHHI', 2000, 3, 1, 9))]), 'I-FORWARD-TSN, unordered stream 3 MID 9 (RFC 8260 2.3.1)')
out['sctp/reconfig-reset'] = (packet(0x11223344, [chunk(130, 0, tlv(13, struct.pack('>IIIHH', 1, 0, 1999, 1, 3)))]), 'RE-CONFIG outgoing SSN reset request for streams 1 and 3 (RFC 6525 4.1), closing two data channels')
out['sctp/reconfig-response'] = (packet(0x11223344, [chunk(130, 0, tlv(16, struct.pack('>II', 1, 1)))]), 'RE-CONFIG response: performed (RFC 6525 4.4)')
out['sctp/abort-user'] = (packet(0x11223344, [chunk(6, 1, tlv(12, b'closing', last=True))]), 'ABORT with T bit and a user-initiated abort cause (RFC 9260 3.3.7)')
out['sctp/shutdown-complete-zero-checksum'] = (packet(0x11223344, [chunk(14, 0, b'')], zero=True), 'SHUTDOWN COMPLETE with a zero checksum (RFC 9653)')
out['sctp/chunk-overrun.bad'] = (packet(0x11223344, [struct.pack('>BBH', 0, 3, 64) + b'\0' * 16]), 'malformed: DATA chunk length overruns the packet')
out['sctp/init-bundled.bad'] = (packet(0, [chunk(11, 0, b''), init(1, 5, 1, b'')]), 'malformed: INIT bundled after another chunk (RFC 9260 6.10)')
out['dcep/open-reliable'] = (dcep_open(0, 256, 0, b'chat', b''), 'DATA_CHANNEL_OPEN reliable ordered, label "chat" (RFC 8832 5.1)')
out['dcep/open-partial-rexmit'] = (dcep_open(0x81, 128, 3, b'game', b'v1.state'), 'DATA_CHANNEL_OPEN unordered, max 3 retransmissions')
out['dcep/open-partial-timed'] = (dcep_open(0x02, 512, 1500, 'caf\u00e9'.encode(), b''), 'DATA_CHANNEL_OPEN ordered, lifetime 1500 ms, UTF-8 label')
out['dcep/ack'] = (bytes([2]), 'DATA_CHANNEL_ACK (RFC 8832 5.2)')
out['dcep/open-bad-utf8.bad'] = (dcep_open(0, 0, 0, b'\xc0\xaf', b''), 'malformed: overlong UTF-8 in the label')
out['dcep/open-unknown-type.bad'] = (dcep_open(0x05, 0, 0, b'x', b''), 'malformed: unknown channel type 0x05')
import sys
dest = sys.argv[1] if len(sys.argv) > 1 else 'samples'
readme = {'sctp': [], 'dcep': []}
for k, (d, c) in out.items():
    readme[k.split('/')[0]].append('| %s.hex | %s |' % (k.split('/')[1], c))
    if dest == 'samples':
        hexfile(S + k + '.hex', d, c)
    else:
        kind, name = k.split('/')
        tgt = {'sctp': 'sctp_packet', 'dcep': 'dcep_parse'}[kind]
        if name.endswith('.bad'): name = name[:-4] + '-malformed'
        os.makedirs(dest + '/' + tgt, exist_ok=True)
        open(dest + '/' + tgt + '/' + name, 'wb').write(d)

if dest == 'samples':
    for kind in readme:
        with open(S + kind + '/README.md', 'w') as f:
            f.write('# conformance/samples/%s\n\nGenerated by `sctp/gen-samples.py` from the RFC layouts (rtcgate\'s own messages, no\ncaptures from other projects). A `.bad.` sample must be rejected.\n\n| file | what |\n|---|---|\n' % kind)
            f.write('\n'.join(readme[kind]) + '\n')
