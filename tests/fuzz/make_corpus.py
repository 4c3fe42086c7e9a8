#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/<target>/ (deterministic).

A handful of small valid inputs per fuzz target, so the fuzzer starts past the
first parse. Re-run after changing a wire format, then review the diff:
    python3 tests/fuzz/make_corpus.py
The Noise seeds need the `cryptography` package (for X25519, ChaCha20-Poly1305
and Ed25519); without it those are left as they are.
"""
import hashlib
import hmac
import json
import os
import shutil
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(target):
    """Removes the target's hand-written seeds; keeps the inputs a libFuzzer
    merge added (named by their SHA-1: 40 hex digits)."""
    d = os.path.join(ROOT, target)
    if not os.path.isdir(d):
        return
    for f in os.listdir(d):
        if not (len(f) == 40 and all(c in "0123456789abcdef" for c in f)):
            os.remove(os.path.join(d, f))


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def lp(b):
    return uvarint(len(b)) + b


def pb_bytes(field, b):
    return uvarint(field << 3 | 2) + lp(b)


def pb_varint(field, n):
    return uvarint(field << 3) + uvarint(n)


# Public keys from agentp2p/crypto/test_vectors.hpp (libp2p peer-ids spec vectors).
ED25519_PUB = bytes.fromhex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")
SECP256K1_PUB = bytes.fromhex("08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99")
ECDSA_PUB = bytes.fromhex(
    "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab"
    "44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62")


def identity_mh(b):  # peer id of a key whose protobuf is <= 42 bytes
    return b"\x00" + lp(b)


def sha256_mh(b):
    return b"\x12\x20" + hashlib.sha256(b).digest()


def multiaddr():
    t = "multiaddr"
    reset(t)
    ip4, tcp, udp, ip6, dns4, dnsaddr = 4, 6, 273, 41, 54, 56
    quic_v1, ws, tls, p2p, unix, p2p_circuit = 0x01CC, 0x01DD, 0x01C0, 0x01A5, 0x0190, 0x0122
    pid = identity_mh(ED25519_PUB)
    bins = {
        "ip4_tcp": uvarint(ip4) + bytes([127, 0, 0, 1]) + uvarint(tcp) + struct.pack(">H", 4001),
        "ip6_tcp_ws": uvarint(ip6) + bytes(15) + b"\x01" + uvarint(tcp) + struct.pack(">H", 80) + uvarint(ws),
        "ip4_udp_quic": uvarint(ip4) + bytes([1, 2, 3, 4]) + uvarint(udp) + struct.pack(">H", 443) + uvarint(quic_v1),
        "dns4_tcp_tls_p2p": uvarint(dns4) + lp(b"example.com") + uvarint(tcp) + struct.pack(">H", 443)
        + uvarint(tls) + uvarint(p2p) + lp(pid),
        "dnsaddr_p2p_circuit": uvarint(dnsaddr) + lp(b"bootstrap.libp2p.io") + uvarint(p2p) + lp(sha256_mh(ED25519_PUB))
        + uvarint(p2p_circuit),
        "unix": uvarint(unix) + lp(b"tmp/agentp2p.sock"),
    }
    for name, b in bins.items():
        write(t, name + ".bin", b)
    # The target also parses its input as text.
    for i, s in enumerate(["/ip4/127.0.0.1/tcp/4001", "/ip6/::1/udp/443/quic-v1",
                           "/dns/example.com/tcp/443/wss", "/ip6zone/eth0/ip6/fe80::1/tcp/1",
                           "/memory/1234", "/unix/tmp%2Fa.sock"]):
        write(t, "text%d.txt" % i, s)


def crypto_keys():
    t = "crypto_keys"
    reset(t)
    write(t, "ed25519_pub.bin", ED25519_PUB)
    write(t, "secp256k1_pub.bin", SECP256K1_PUB)
    write(t, "ecdsa_pub.bin", ECDSA_PUB)
    write(t, "peer_id_identity.bin", identity_mh(ED25519_PUB))
    write(t, "peer_id_sha256.bin", sha256_mh(ECDSA_PUB))
    write(t, "peer_id_text.txt", "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq")


def plaintext_exchange():
    t = "plaintext_exchange"
    reset(t)
    write(t, "ed25519.bin", pb_bytes(1, identity_mh(ED25519_PUB)) + pb_bytes(2, ED25519_PUB))
    write(t, "secp256k1.bin", pb_bytes(1, identity_mh(SECP256K1_PUB)) + pb_bytes(2, SECP256K1_PUB))
    write(t, "ecdsa.bin", pb_bytes(1, sha256_mh(ECDSA_PUB)) + pb_bytes(2, ECDSA_PUB))


def yamux_frame():
    t = "yamux_frame"
    reset(t)
    DATA, WINDOW, PING, GO_AWAY = 0, 1, 2, 3
    SYN, ACK, FIN, RST = 1, 2, 4, 8

    def frame(typ, flags, sid, length, body=b""):
        return struct.pack(">BBHII", 0, typ, flags, sid, length) + body

    def data(flags, sid, body):
        return frame(DATA, flags, sid, len(body), body)

    # Byte 0: bit 0 = initiator, the rest = read size - 1.
    # As initiator: the remote opens even ids and acknowledges our stream 1.
    write(t, "initiator_streams.bin", bytes([0x01 | 16 << 1])
          + frame(WINDOW, ACK, 1, 0) + data(0, 1, b"hello")
          + frame(WINDOW, SYN, 2, 0) + data(0, 2, b"ping") + data(FIN, 2, b"")
          + data(SYN, 4, b"x" * 20) + frame(WINDOW, 0, 4, 65536) + data(RST, 4, b""))
    write(t, "initiator_ping_goaway.bin", bytes([0x01 | 3 << 1])
          + frame(PING, SYN, 0, 7) + frame(PING, ACK, 0, 1) + frame(GO_AWAY, 0, 0, 0))
    # As responder: the remote opens odd ids.
    write(t, "responder_streams.bin", bytes([0x00 | 63 << 1])
          + data(SYN, 1, b"hi") + frame(WINDOW, 0, 1, 1024) + data(FIN, 1, b"bye")
          + frame(WINDOW, ACK, 2, 0) + data(0, 2, b"\xff") + frame(WINDOW, SYN, 3, 0) + data(RST, 3, b""))
    write(t, "responder_reset.bin", bytes([0x00])
          + data(SYN, 1, b"\xff") + data(SYN, 3, b"abc") + frame(GO_AWAY, 0, 0, 1))


def noise_handshake():
    t = "noise_handshake"
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
        from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        print("noise_handshake: python3 cryptography missing; seeds left as they are")
        return
    reset(t)
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw

    def fixed(seed):  # as in noise_handshake_fuzz.cpp
        return X25519PrivateKey.from_private_bytes(bytes((seed + i * 13) & 0xFF for i in range(32)))

    def pub(k):
        return k.public_key().public_bytes(*raw)

    def dh(k, p):
        return k.exchange(X25519PublicKey.from_public_bytes(p))

    class Sym:
        def __init__(self):
            self.h = self.ck = b"Noise_XX_25519_ChaChaPoly_SHA256"
            self.k = None
            self.n = 0
            self.mix_hash(b"")  # empty prologue

        def mix_hash(self, d):
            self.h = hashlib.sha256(self.h + d).digest()

        def mix_key(self, ikm):
            tmp = hmac.new(self.ck, ikm, hashlib.sha256).digest()
            self.ck = hmac.new(tmp, b"\x01", hashlib.sha256).digest()
            self.k = hmac.new(tmp, self.ck + b"\x02", hashlib.sha256).digest()
            self.n = 0

        def encrypt_and_hash(self, pt):
            if self.k is None:
                ct = pt
            else:
                ct = ChaCha20Poly1305(self.k).encrypt(b"\0" * 4 + struct.pack("<Q", self.n), pt, self.h)
                self.n += 1
            self.mix_hash(ct)
            return ct

    def payload(static_pub, seed, muxers=True):
        ident = Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32)
        key_pb = pb_varint(1, 1) + pb_bytes(2, ident.public_key().public_bytes(*raw))
        sig = ident.sign(b"noise-libp2p-static-key:" + static_pub)
        p = pb_bytes(1, key_pb) + pb_bytes(2, sig)
        if muxers:
            p += pb_bytes(4, pb_bytes(2, b"/yamux/1.0.0"))
        return p

    # Message 1 to a responder: an ephemeral key (and optionally a plaintext payload).
    write(t, "msg1.bin", pub(fixed(40)))
    write(t, "msg1_payload.bin", pub(fixed(41)) + b"early")

    # Message 2 to the initiator (static fixed(3), ephemeral fixed(4)).
    s = Sym()
    ie = pub(fixed(4))
    s.mix_hash(ie)
    s.mix_hash(b"")
    re, rs = fixed(50), fixed(51)
    msg = pub(re)
    s.mix_hash(pub(re))
    s.mix_key(dh(re, ie))
    msg += s.encrypt_and_hash(pub(rs))
    s.mix_key(dh(rs, ie))
    for name, pl in (("msg2.bin", payload(pub(rs), 7)), ("msg2_empty_payload.bin", b"")):
        saved = (s.h, s.ck, s.k, s.n)
        write(t, name, msg + s.encrypt_and_hash(pl))
        s.h, s.ck, s.k, s.n = saved

    # Message 3 to a responder (static fixed(7), ephemeral fixed(8)) that read
    # message 1 from an initiator with ephemeral fixed(6) and answered with an
    # empty payload; we play that initiator with our own static key.
    s = Sym()
    ie = fixed(6)
    s.mix_hash(pub(ie))
    s.mix_hash(b"")
    re_pub, rs_pub = pub(fixed(8)), pub(fixed(7))
    s.mix_hash(re_pub)
    s.mix_key(dh(ie, re_pub))
    s.encrypt_and_hash(rs_pub)  # what the responder sent; we only need the transcript
    s.mix_key(dh(ie, rs_pub))
    s.encrypt_and_hash(b"")
    is_ = fixed(60)
    msg = s.encrypt_and_hash(pub(is_))
    s.mix_key(dh(is_, re_pub))
    write(t, "msg3.bin", msg + s.encrypt_and_hash(payload(pub(is_), 9, muxers=False)))

    # A bare handshake payload (the target also decodes its input directly).
    write(t, "payload.bin", payload(pub(fixed(1)), 3))


def praxis_wire():
    t = "praxis_wire"
    reset(t)
    docs = {
        "card.json": {"name": "praxis-agent", "version": "1.0.0", "peerId": "12D3KooWExample",
                      "capabilities": ["mcp", "dsl"], "timestamp": 1700000000,
                      "tools": [{"name": "echo", "description": "Echo text",
                                 "parameters": [{"name": "text", "type": "string", "required": True}]}]},
        "card_minimal.json": {"name": "x", "peerId": "p", "tools": None, "capabilities": None},
        "tool_request.json": {"id": "1", "name": "search", "timestamp": 1,
                              "arguments": {"q": "abc", "n": 4, "tags": ["red", "dark-blue"], "mode": "fast",
                                            "opt": {"x": 1}, "one": 3}},
        "tool_reply.json": {"id": "1", "result": {"text": "hi"}},
        "tool_reply_error.json": {"id": "1", "result": None, "error": {"code": -32602, "message": "bad"}},
        "tool_reply_status.json": {"id": "1", "result": {"status": "unknown_tool", "error": "Tool x not found"}},
        "schema.json": {"type": "object", "required": ["a"], "properties": {
            "a": {"type": "integer", "minimum": 1}, "b": {"type": "array", "items": {"type": "string"}},
            "c": {"allOf": [{"type": "number"}, {"not": {"const": 3}}]}}, "additionalProperties": {"type": "boolean"}},
    }
    for name, v in docs.items():
        write(t, name, json.dumps(v, separators=(",", ":")))


def a2a_jsonrpc():
    t = "a2a_jsonrpc"
    reset(t)
    msg03 = {"kind": "message", "messageId": "m1", "role": "user", "contextId": "c1",
             "parts": [{"kind": "text", "text": "hello"}, {"kind": "data", "data": {"tool": "echo"}}]}
    msg10 = {"messageId": "m2", "role": "ROLE_USER", "parts": [{"text": "hello"}]}
    task = {"kind": "task", "id": "t1", "contextId": "c1",
            "status": {"state": "completed", "timestamp": "2024-01-02T03:04:05.678Z"},
            "history": [msg03], "artifacts": [{"artifactId": "a1", "parts": [{"kind": "text", "text": "out"}]}]}
    lines = {
        "send_v03.json": {"jsonrpc": "2.0", "id": 1, "method": "message/send", "params": {"message": msg03}},
        "send_v10.json": {"jsonrpc": "2.0", "id": "r2", "method": "SendMessage", "params": {"message": msg10}},
        "stream_v03.json": {"jsonrpc": "2.0", "id": 3, "method": "message/stream", "params": {"message": msg03}},
        "get_task.json": {"jsonrpc": "2.0", "id": 4, "method": "tasks/get", "params": {"id": "t1", "historyLength": 2}},
        "cancel_task.json": {"jsonrpc": "2.0", "id": 5, "method": "CancelTask", "params": {"id": "t1"}},
        "list_tasks.json": {"jsonrpc": "2.0", "id": 6, "method": "ListTasks",
                            "params": {"pageSize": 10, "contextId": "c1"}},
        "bad_method.json": {"jsonrpc": "2.0", "id": 1, "method": "tasks/explode", "params": {}},
        "response_task.json": {"jsonrpc": "2.0", "id": 4, "result": task},
        "response_error.json": {"jsonrpc": "2.0", "id": 4, "error": {"code": -32001, "message": "Task not found"}},
        "status_update.json": {"kind": "status-update", "taskId": "t1", "contextId": "c1", "final": True,
                               "status": {"state": "working"}},
        "task.json": task,
    }
    for name, v in lines.items():
        write(t, name, json.dumps(v, separators=(",", ":")))
    write(t, "timestamp.txt", "2024-02-29T23:59:59.5Z")


def mdns_packet():
    t = "mdns_packet"
    reset(t)

    def name(text):
        out = bytearray()
        for label in text.split("."):
            out.append(len(label))
            out += label.encode()
        return bytes(out + b"\0")

    def header(flags, qd, an, ns, ar):
        return struct.pack(">HHHHHH", 0, flags, qd, an, ns, ar)

    def rr(n, rtype, data, ttl=120, cls=1):
        return n + struct.pack(">HHIH", rtype, cls, ttl, len(data)) + data

    def txt(*strings):
        return b"".join(bytes([len(x)]) + x.encode() for x in strings)

    service = "_p2p._udp.local"
    peer = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"
    write(t, "query.bin", header(0, 1, 0, 0, 0) + name(service) + struct.pack(">HH", 12, 1))
    write(t, "query_praxis_qu.bin", header(0, 1, 0, 0, 0) + name("praxis-p2p-mcp.local") + struct.pack(">HH", 12, 0x8001))
    # A response as our service builds it: compression pointers to the service name (offset 12).
    inst = bytes([6]) + b"abcdef" + b"\xc0\x0c"
    ptr = rr(name(service), 12, inst)
    inst_at = 12 + len(name(service)) + 10
    inst_ptr = struct.pack(">H", 0xC000 | inst_at)
    host = bytes([6]) + b"abcdef" + bytes([5]) + b"local\0"
    srv = rr(inst_ptr, 33, struct.pack(">HHH", 0, 0, 4001) + host, cls=0x8001)
    t1 = rr(inst_ptr, 16, txt("dnsaddr=/ip4/10.0.0.1/tcp/4001/p2p/" + peer,
                              "dnsaddr=/ip6/fd00::1/tcp/4001/p2p/" + peer), cls=0x8001)
    a = rr(host, 1, bytes([10, 0, 0, 1]), cls=0x8001)
    write(t, "response.bin", header(0x8400, 0, 1, 0, 3) + ptr + srv + t1 + a)
    # js-libp2p style: PTR and one TXT per address, all answers, no compression.
    full_inst = name("jsname." + service)
    js = rr(name(service), 12, full_inst) + rr(full_inst, 16, txt("dnsaddr=/ip4/10.0.0.2/tcp/1234/p2p/" + peer))
    write(t, "response_js.bin", header(0x8400, 0, 2, 0, 0) + js)
    write(t, "pointer_loop.bin", header(0, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack(">HH", 12, 1))



def varint_lp():
    t = "varint_lp"
    reset(t)
    # Byte 0 picks the size limit (index into 0, 1, 8, 64, 1024, 64 KiB).
    write(t, "zero.bin", b"\x04" + uvarint(0))
    write(t, "frames.bin", b"\x04" + lp(b"/multistream/1.0.0\n") + lp(b"/noise\n") + lp(b""))
    write(t, "max_varint.bin", b"\x05" + uvarint((1 << 63) - 1) + b"\x01")
    write(t, "non_minimal.bin", b"\x03" + b"\x81\x00" + b"x")
    write(t, "too_long.bin", b"\x03" + b"\xff" * 10)
    write(t, "over_limit.bin", b"\x02" + lp(b"x" * 100))
    write(t, "truncated.bin", b"\x04" + uvarint(300) + b"abc")


def multistream():
    t = "multistream"
    reset(t)
    hdr = lp(b"/multistream/1.0.0\n")
    # Byte 0: bit 0 = we respond (input: proposals), else we initiate (input: answers).
    write(t, "respond_noise.bin", b"\x03" + hdr + lp(b"/tls/1.0.0\n") + lp(b"/noise\n"))
    write(t, "respond_ls.bin", b"\x05" + hdr + lp(b"ls\n") + lp(b"/yamux/1.0.0\n"))
    write(t, "respond_none.bin", b"\x01" + hdr + lp(b"/a\n") + lp(b"/b\n") + lp(b"/c\n"))
    write(t, "initiate_accept.bin", b"\x02" + hdr + lp(b"/noise\n"))
    write(t, "initiate_na_then_accept.bin", b"\x04" + hdr + lp(b"na\n") + lp(b"/yamux/1.0.0\n"))
    write(t, "initiate_wrong_echo.bin", b"\x00" + hdr + lp(b"/other\n"))
    write(t, "no_newline.bin", b"\x01" + lp(b"/multistream/1.0.0"))


def identify():
    t = "identify"
    reset(t)
    addr = bytes([0x04, 127, 0, 0, 1, 0x06]) + struct.pack(">H", 4001)
    msg = (pb_bytes(5, b"ipfs/0.1.0") + pb_bytes(6, b"agentp2p/0.1.0") + pb_bytes(1, ED25519_PUB) +
           pb_bytes(2, addr) + pb_bytes(2, b"\xff\xff") + pb_bytes(4, addr) +
           pb_bytes(3, b"/ipfs/id/1.0.0") + pb_bytes(3, b"/ipfs/ping/1.0.0"))
    write(t, "full.bin", msg)
    write(t, "push_protocols.bin", pb_bytes(3, b"/praxis/card/1.0.0"))
    write(t, "empty.bin", b"")
    write(t, "bad_key.bin", pb_bytes(1, b"\x08\x01\x12\x01\x00"))


def pnet():
    t = "pnet"
    reset(t)
    key = bytes(range(1, 33))
    write(t, "base16.key", "/key/swarm/psk/1.0.0/\n/base16/\n" + key.hex() + "\n")
    write(t, "base16_crlf.key", "/key/swarm/psk/1.0.0/\r\n/base16/\r\n" + key.hex().upper() + "\r\n")
    import base64
    write(t, "base64.key", "/key/swarm/psk/1.0.0/\n/base64/\n" + base64.b64encode(key).decode() + "\n")
    write(t, "bin.key", b"/key/swarm/psk/1.0.0/\n/bin/\n" + key)
    # As stream bytes (byte 0: read size): the peer's nonce, then data.
    write(t, "stream.bin", b"\x07" + bytes(range(24)) + b"encrypted bytes" * 4)
    write(t, "short_nonce.bin", b"\x01" + bytes(10))


def http_response():
    t = "http_response"
    reset(t)
    # Byte 0: read size (1 + 4 * byte).
    def chunked(*parts):
        out = b""
        for p in parts:
            out += b"%x\r\n" % len(p) + p + b"\r\n"
        return out + b"0\r\n\r\n"
    sse = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
    write(t, "sse_chunked.bin", b"\x01" + sse + chunked(b"id: 1\nevent: message\ndata: {\"jsonrpc\":\"2.0\"}\n\n",
                                                          b": keepalive\n\nretry: 500\ndata: a\r\ndata: b\r\n\r\n"))
    write(t, "sse_eof.bin", b"\x00" + b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
          b"\xef\xbb\xbfdata: first\n\ndata: cut")
    write(t, "json.bin", b"\x10" + b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 27\r\n"
          b"Mcp-Session-Id: abc\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1}  ")
    write(t, "no_content.bin", b"\x40" + b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
    write(t, "bad_chunk.bin", b"\x02" + sse + b"zz\r\ndata\r\n")


def json_schema():
    t = "json_schema"
    reset(t)
    pairs = {
        "object.bin": ({"type": "object", "required": ["a"], "additionalProperties": False,
                        "properties": {"a": {"type": "integer", "minimum": 0, "multipleOf": 3},
                                       "b": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 8}}},
                       {"a": 9, "b": "abc"}),
        "refs.bin": ({"$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"}}}},
                      "$ref": "#/$defs/node"}, {"next": {"next": {"next": {}}}}),
        "combinators.bin": ({"anyOf": [{"type": "string"}, {"oneOf": [{"type": "integer"}, {"minimum": 2}]}],
                             "not": {"const": 5}, "if": {"type": "number"}, "then": {"maximum": 100},
                             "else": {"minLength": 1}}, 3),
        "arrays.bin": ({"type": "array", "prefixItems": [{"type": "boolean"}], "items": {"enum": [1, "x", None]},
                        "uniqueItems": True, "minItems": 1, "maxItems": 4}, [True, 1, "x"]),
        "pattern_props.bin": ({"type": "object", "patternProperties": {"^x-": {"type": "string"}},
                               "minProperties": 1, "maxProperties": 3}, {"x-a": "1"}),
        "ref_cycle.bin": ({"$ref": "#"}, {}),
    }
    for name, (schema, instance) in pairs.items():
        write(t, name, json.dumps(schema, separators=(",", ":")) + "\0" + json.dumps(instance))
    write(t, "bool_schema.bin", "true\0[1,2]")


def base58(b):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = int.from_bytes(b, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + out


def agent_card():
    t = "agent_card"
    reset(t)
    card = {"name": "indexer", "version": "1.0.0", "capabilities": ["mcp", "tools"], "timestamp": 1700000000,
            "tools": [{"name": "translate", "description": "text \u2192 text \"quoted\"",
                       "parameters": [{"name": "text", "type": "string", "description": "what", "required": True}]}]}
    write(t, "unsigned.json", json.dumps(dict(card, peerId="12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"),
                                         separators=(",", ":")))
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        return
    import base64
    sk = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    raw = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pub = b"\x08\x01\x12\x20" + raw
    signed = dict(card, peerId=base58(identity_mh(pub)),
                  publicKey=base64.b64encode(pub).decode().rstrip("="))
    canon = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    sig = sk.sign(b"agentp2p-card-v1:" + canon.encode())
    signed["signature"] = base64.b64encode(sig).decode().rstrip("=")
    write(t, "signed.json", json.dumps(signed, separators=(",", ":"), ensure_ascii=False))
    tampered = dict(signed, name="impostor")
    write(t, "tampered.json", json.dumps(tampered, separators=(",", ":"), ensure_ascii=False))
    write(t, "nested.json", json.dumps({"a": {"signature": 1, "z": [1, {"y": 2, "x": "\u00e9"}]}, "signature": "x"}))


def mcp_server():
    t = "mcp_server"
    reset(t)
    def lines(*msgs):
        return "".join(json.dumps(m, separators=(",", ":")) + "\n" for m in msgs)
    init = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "clientInfo": {"name": "fuzz", "version": "1"},
                       "capabilities": {"sampling": {}, "elicitation": {}, "roots": {"listChanged": True}}}}
    ready = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    def req(i, method, params=None):
        m = {"jsonrpc": "2.0", "id": i, "method": method}
        if params is not None:
            m["params"] = params
        return m
    # Byte 0: bit 0 praxis simplified form, bit 1 no initialize needed, bits 2-4 read size.
    write(t, "tools.bin", "\x1c" + lines(init, ready, req(1, "tools/list"), req(2, "tools/list", {"cursor": "2"}),
                                         req(3, "tools/call", {"name": "add", "arguments": {"a": 1, "b": 2}}),
                                         req(4, "tools/call", {"name": "add", "arguments": {"a": "x"}}),
                                         req(5, "tools/call", {"name": "echo", "arguments": {"text": "hi"}}),
                                         req(6, "tools/call", {"name": "fail"}),
                                         req(7, "tools/call", {"name": "nope"})))
    write(t, "ask.bin", "\x04" + lines(init, ready,
                                       req(1, "tools/call", {"name": "ask", "arguments": {},
                                                             "_meta": {"progressToken": "p1"}}),
                                       {"jsonrpc": "2.0", "id": 1, "result": {"role": "assistant", "model": "m",
                                                                            "content": {"type": "text", "text": "s"}}},
                                       {"jsonrpc": "2.0", "id": 2, "result": {"action": "accept",
                                                                            "content": {"username": "ada"}}},
                                       {"jsonrpc": "2.0", "id": 3, "result": {"roots": [{"uri": "file:///tmp"}]}}))
    write(t, "resources.bin", "\x08" + lines(init, ready, req(1, "resources/list"),
                                             req(2, "resources/templates/list"),
                                             req(3, "resources/read", {"uri": "test://static"}),
                                             req(4, "resources/read", {"uri": "test://items/42"}),
                                             req(5, "resources/read", {"uri": "test://items/missing"}),
                                             req(6, "resources/subscribe", {"uri": "test://static"}),
                                             req(7, "resources/unsubscribe", {"uri": "test://static"})))
    write(t, "prompts.bin", "\x0c" + lines(init, ready, req(1, "prompts/list"),
                                           req(2, "prompts/get", {"name": "greet", "arguments": {"who": "ada"}}),
                                           req(3, "prompts/get", {"name": "greet"}),
                                           req(4, "completion/complete",
                                               {"ref": {"type": "ref/prompt", "name": "greet"},
                                                "argument": {"name": "who", "value": "pa"}}),
                                           req(5, "logging/setLevel", {"level": "debug"}),
                                           req(6, "ping")))
    write(t, "batch_cancel.bin", "\x10" + lines(dict(init, params=dict(init["params"], protocolVersion="2025-03-26")),
                                                ready, [req(1, "ping"), req(2, "tools/list"), ready],
                                                {"jsonrpc": "2.0", "method": "notifications/cancelled",
                                                 "params": {"requestId": 1}}) + "not json\n[]\n{}\n")
    write(t, "praxis_simplified.bin", "\x03" + lines({"id": "1", "method": "tools/list", "params": {}},
                                                     {"id": "2", "method": "tools/call",
                                                      "params": {"name": "add", "arguments": {"a": 1, "b": 1}}}))
    write(t, "before_init.bin", "\x00" + lines(req(1, "tools/list"), init, init))


def a2a_dispatcher():
    t = "a2a_dispatcher"
    reset(t)
    msg03 = {"kind": "message", "messageId": "m1", "role": "user", "contextId": "c1",
             "parts": [{"kind": "data", "data": {"tool": "echo", "arguments": {"x": 1}}}]}
    msg10 = {"messageId": "m2", "role": "ROLE_USER", "parts": [{"data": {"data": {"tool": "number"}}}]}
    text = {"kind": "message", "messageId": "m3", "role": "user", "parts": [{"kind": "text", "text": "hello"}]}
    def lines(*msgs):
        return "".join(json.dumps(m, separators=(",", ":")) + "\n" for m in msgs)
    def req(i, method, params):
        return {"jsonrpc": "2.0", "id": i, "method": method, "params": params}
    # Byte 0: bit 0 = the caller is a remote peer.
    write(t, "v03.bin", "\x00" + lines(req(1, "message/send", {"message": msg03}),
                                       req(2, "tasks/list", {}),
                                       req(3, "tasks/get", {"id": "unknown"}),
                                       req(4, "message/stream", {"message": text}),
                                       req(5, "tasks/cancel", {"id": "x"}),
                                       req(6, "agent/getAuthenticatedExtendedCard", {})))
    write(t, "v10.bin", "\x01" + lines(req("a", "SendMessage", {"message": msg10,
                                                                "configuration": {"returnImmediately": True}}),
                                       req("b", "ListTasks", {"pageSize": 1}),
                                       req("c", "SendStreamingMessage", {"message": msg10}),
                                       req("d", "SubscribeToTask", {"id": "t"}),
                                       req("e", "GetExtendedAgentCard", {}),
                                       req("f", "CreateTaskPushNotificationConfig", {})))
    write(t, "garbage.bin", "\x00{\"jsonrpc\":\"2.0\",\"id\":1}\n[]\nnull\n{\"method\":\"message/send\"}\n")


def config():
    t = "config"
    reset(t)
    here = os.path.dirname(os.path.abspath(__file__))
    example = os.path.join(here, "..", "..", "config", "agentp2p.example.yaml")
    if os.path.exists(example):
        with open(example, "rb") as f:
            write(t, "example.yaml", f.read())
    write(t, "ours.yaml", """agent:
  name: ${AGENTP2P_NAME:-indexer}
  capabilities: [search, tools]
listen: [/ip4/127.0.0.1/tcp/4001]
mdns: {enabled: false, interfaces: [eth0]}
dht: {enabled: true, mode: server}
connections: {low: 10, high: 20, max: 100, max_per_peer: 2, grace_period: 1m}
mcp_servers:
  - name: files
    command: npx
    args: [-y, server-filesystem, /tmp]
    env: {NODE_ENV: production}
    expose: all
  - name: search
    url: https://mcp.example.com/mcp
    headers: {Authorization: Bearer abc}
    expose: [12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA]
http: {address: "127.0.0.1:${PORT}", token: secret, allowed_origins: [http://localhost:3000]}
logging: {level: debug, json: true}
""")
    write(t, "praxis.yaml", """agent:
  name: "praxis-agent"
  version: "1.0.0"
  url: "http://praxis-agent-1:8000"
  external_mcp_endpoints:
    - "http://localhost:8080"
    - name: search
      url: https://mcp.example.com/mcp
      headers: {X-Key: k}
  tools:
    - name: "python_analyzer"
      engine: "dagger"
p2p:
  port: ${PORT}
  enable_mdns: false
  enable_dht: true
  bootstrap_nodes: []
http:
  port: ${HTTP_PORT_UNSET:-8000}
  host: "::1"
mcp:
  servers:
    - name: fs
      transport: stdio
      command: npx
      args: [server-filesystem]
llm:
  api_key: "${OPENAI_API_KEY}"
logging:
  level: "warning"
  format: json
""")
    write(t, "errors.yaml", "connections:\n  low: many\n")
    write(t, "anchors.yaml", "base: &b {name: x}\nagent: *b\nlisten: [!!str 1, ~]\n")


if __name__ == "__main__":
    multiaddr()
    crypto_keys()
    plaintext_exchange()
    yamux_frame()
    noise_handshake()
    praxis_wire()
    a2a_jsonrpc()
    mdns_packet()
    varint_lp()
    multistream()
    identify()
    pnet()
    http_response()
    json_schema()
    agent_card()
    mcp_server()
    a2a_dispatcher()
    config()
