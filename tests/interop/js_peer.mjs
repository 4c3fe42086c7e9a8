#!/usr/bin/env -S node
// js-libp2p 3.x interop peer. Same CLI contract as the C++ agentp2p_interop_peer:
//
//   listen [--key-type ed25519|secp256k1|rsa] [--listen /ip4/127.0.0.1/tcp/0]
//   dial --addr <ma/p2p/ID> [--expect-peer ID] [--key-type T] [--echo-bytes N]
//        [--streams N] [--stream-bytes N] [--pings N]
//
// stdout carries only JSON lines (see README.md); diagnostics go to stderr.
// Run it with ./node22 (js-libp2p 3.x needs Node >= 22).
import { createHash, randomFillSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ECHO_PROTOCOL, MAX_STREAMS, PING_PROTOCOL, StreamReader, consume, echoHandler,
  errMessage, makeNode, pingOnce, withTimeout
} from './common.mjs'

const DIAL_TIMEOUT_MS = 20_000
const PING_TIMEOUT_MS = 10_000
const IDENTIFY_TIMEOUT_MS = 15_000
const ECHO_TIMEOUT_MS = 60_000
const STREAMS_TIMEOUT_MS = 60_000
const WATCHDOG_MS = 240_000

function usage () {
  return 'usage: js_peer.mjs listen [--key-type ed25519|secp256k1|rsa] [--listen MA]\n' +
    '       js_peer.mjs dial --addr MA/p2p/ID [--expect-peer ID] [--key-type T] [--echo-bytes N]\n' +
    '                        [--streams N] [--stream-bytes N] [--pings N]'
}

function parseArgs (argv) {
  const mode = argv[0]
  const opts = {}
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"\n${usage()}`)
    const eq = a.indexOf('=')
    if (eq !== -1) {
      opts[a.slice(2, eq)] = a.slice(eq + 1)
    } else {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`)
      opts[a.slice(2)] = argv[++i]
    }
  }
  return { mode, opts }
}

function intOpt (opts, name, def) {
  if (opts[name] == null) return def
  const n = Number(opts[name])
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`)
  return n
}

function emit (obj) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', () => resolve()))
}

function log (...args) {
  process.stderr.write(`[js_peer ${process.pid}] ${args.join(' ')}\n`)
}

function identifyEvent (detail) {
  return {
    event: 'identified',
    peerId: detail.peerId.toString(),
    protocols: [...(detail.protocols ?? [])],
    listenAddrs: (detail.listenAddrs ?? []).map((a) => a.toString()),
    agentVersion: detail.agentVersion ?? ''
  }
}

async function startNode (opts, listenDefault) {
  const node = await makeNode({
    keyType: opts['key-type'] ?? 'ed25519',
    listen: [opts.listen ?? listenDefault],
    psk: opts.psk == null ? null : readFileSync(opts.psk)
  })
  await node.handle(ECHO_PROTOCOL, echoHandler, {
    maxInboundStreams: MAX_STREAMS,
    maxOutboundStreams: MAX_STREAMS
  })
  return node
}

async function stopNode (node) {
  try {
    await withTimeout(node.stop(), 5_000, 'libp2p stop')
  } catch (err) {
    log('stop failed:', errMessage(err))
  }
}

// ---------------------------------------------------------------- listen
async function runListen (opts) {
  const node = await startNode(opts, '/ip4/127.0.0.1/tcp/0')
  node.addEventListener('peer:identify', (evt) => {
    emit(identifyEvent(evt.detail))
  })
  await node.start()
  const addrs = node.getMultiaddrs().map((a) => a.toString())
  if (addrs.length === 0) throw new Error('node has no listen addresses')
  await emit({ peerId: node.peerId.toString(), addrs, agentVersion: agentVersionOf(node) })

  let stopping = false
  const shutdown = async (why) => {
    if (stopping) return
    stopping = true
    log('shutting down:', why)
    await stopNode(node)
    process.exit(0)
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.stdin.on('end', () => shutdown('stdin closed'))
  process.stdin.on('close', () => shutdown('stdin closed'))
  process.stdin.on('error', () => shutdown('stdin error'))
  process.stdin.resume()
}

function agentVersionOf (node) {
  // identify advertises nodeInfo.userAgent as agentVersion
  return node.components?.nodeInfo?.userAgent ?? node.nodeInfo?.userAgent ?? 'js-libp2p'
}

// ---------------------------------------------------------------- dial
function randomChunk (n) {
  const b = Buffer.allocUnsafe(n)
  randomFillSync(b)
  return b
}

async function echoBig (conn, bytes) {
  const signal = AbortSignal.timeout(ECHO_TIMEOUT_MS)
  const t0 = performance.now()
  const stream = await conn.newStream(ECHO_PROTOCOL, { signal })
  const sentHash = createHash('sha256')
  const recvHash = createHash('sha256')
  let received = 0
  const readP = consume(stream, (c) => { recvHash.update(c); received += c.byteLength }, signal)
  const sendP = (async () => {
    let sent = 0
    while (sent < bytes) {
      const chunk = randomChunk(Math.min(256 * 1024, bytes - sent))
      sentHash.update(chunk)
      sent += chunk.byteLength
      if (!stream.send(chunk)) await stream.onDrain({ signal })
    }
    await stream.close({ signal })
  })()
  try {
    await Promise.all([sendP, readP])
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    if (signal.aborted) throw new Error(`echo of ${bytes} bytes timed out after ${ECHO_TIMEOUT_MS} ms (received ${received})`)
    throw new Error(`echo of ${bytes} bytes failed after receiving ${received}: ${errMessage(err)}`)
  }
  const ms = performance.now() - t0
  const intact = received === bytes && sentHash.digest('hex') === recvHash.digest('hex')
  return { bytes, received, ms: round(ms), mbps: round(bytes / 1e6 / (ms / 1000)), intact }
}

async function echoSmall (conn, size, signal) {
  const stream = await conn.newStream(ECHO_PROTOCOL, { signal, maxOutboundStreams: MAX_STREAMS })
  try {
    const payload = randomChunk(size)
    const got = []
    let n = 0
    const readP = consume(stream, (c) => { got.push(Buffer.from(c)); n += c.byteLength }, signal)
    const sendP = (async () => {
      if (size > 0 && !stream.send(payload)) await stream.onDrain({ signal })
      await stream.close({ signal })
    })()
    await Promise.all([sendP, readP])
    return n === size && Buffer.compare(Buffer.concat(got, n), payload) === 0
  } catch (err) {
    stream.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

async function manyStreams (conn, count, size) {
  const signal = AbortSignal.timeout(STREAMS_TIMEOUT_MS)
  const t0 = performance.now()
  const results = await Promise.allSettled(Array.from({ length: count }, () => echoSmall(conn, size, signal)))
  const ms = performance.now() - t0
  const intact = results.filter((r) => r.status === 'fulfilled' && r.value === true).length
  const firstErr = results.find((r) => r.status === 'rejected')
  const out = { count, bytes: size, intact, ms: round(ms) }
  if (firstErr != null) out.firstError = errMessage(firstErr.reason)
  if (signal.aborted && intact < count) out.firstError = `timeout after ${STREAMS_TIMEOUT_MS} ms`
  return out
}

function round (x) {
  return Math.round(x * 1000) / 1000
}

function explainDialError (err, expectPeer) {
  const text = errMessage(err)
  const peerProblem = /UnexpectedPeer|unexpected peer|does not match expected|identity key|peer id/i.test(text)
  if (expectPeer != null && peerProblem) {
    return `peer id mismatch: expected ${expectPeer} but the remote authenticated as a different peer (${text})`
  }
  return `dial failed: ${text}`
}

async function runDial (opts) {
  if (opts.addr == null) throw new Error(`dial needs --addr\n${usage()}`)
  const echoBytes = intOpt(opts, 'echo-bytes', 67108864)
  const streamCount = intOpt(opts, 'streams', 200)
  const streamBytes = intOpt(opts, 'stream-bytes', 65536)
  const pings = intOpt(opts, 'pings', 10)
  let addr = opts.addr
  if (!/\/p2p\/[^/]+$/.test(addr)) throw new Error(`--addr must end in /p2p/<peer id>: ${addr}`)
  const expectPeer = opts['expect-peer']
  if (expectPeer != null) {
    peerIdFromString(expectPeer) // throws on an invalid id
    addr = addr.replace(/\/p2p\/[^/]+$/, `/p2p/${expectPeer}`)
  }
  const target = multiaddr(addr)
  const wantPeer = addr.match(/\/p2p\/([^/]+)$/)[1]

  const node = await startNode(opts, '/ip4/127.0.0.1/tcp/0')
  const result = { ok: false }
  try {
    // register before dialling so an early identify is not missed
    let identified
    const identifiedP = new Promise((resolve) => {
      node.addEventListener('peer:identify', (evt) => {
        if (evt.detail.peerId.toString() === wantPeer) resolve(evt.detail)
      })
    }).then((d) => { identified = d; return d })
    await node.start()
    result.peerId = node.peerId.toString()

    // connect + first ping = handshake plus one RTT
    const t0 = performance.now()
    let conn
    try {
      conn = await withTimeout(node.dial(target, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) }),
        DIAL_TIMEOUT_MS + 1_000, `dial ${addr}`)
    } catch (err) {
      throw new Error(explainDialError(err, expectPeer))
    }
    if (conn.remotePeer.toString() !== wantPeer) {
      throw new Error(`peer id mismatch: expected ${wantPeer}, connected to ${conn.remotePeer}`)
    }
    const pingStream = await conn.newStream(PING_PROTOCOL, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) })
    const reader = new StreamReader(pingStream)
    const firstRtt = await pingOnce(reader, PING_TIMEOUT_MS)
    result.connectMs = round(performance.now() - t0)
    result.firstPingMs = round(firstRtt)

    result.pingRttMs = []
    for (let i = 0; i < pings; i++) result.pingRttMs.push(round(await pingOnce(reader, PING_TIMEOUT_MS)))
    reader.detach()
    await pingStream.close({ signal: AbortSignal.timeout(PING_TIMEOUT_MS) }).catch(() => {})

    const id = identified ?? await withTimeout(identifiedP, IDENTIFY_TIMEOUT_MS, 'identify of the remote peer')
    const ev = identifyEvent(id)
    result.remote = { peerId: ev.peerId, protocols: ev.protocols, listenAddrs: ev.listenAddrs, agentVersion: ev.agentVersion }

    result.echo = await echoBig(conn, echoBytes)
    if (!result.echo.intact) throw new Error(`echo data corrupted (${result.echo.received}/${echoBytes} bytes, sha256 ${result.echo.received === echoBytes ? 'differs' : 'n/a'})`)
    result.streams = await manyStreams(conn, streamCount, streamBytes)
    if (result.streams.intact !== streamCount) {
      throw new Error(`only ${result.streams.intact}/${streamCount} echo streams intact${result.streams.firstError ? ': ' + result.streams.firstError : ''}`)
    }
    result.ok = true
  } catch (err) {
    result.ok = false
    result.error = err?.message ?? String(err)
  }
  if (!result.ok) {
    // failure line: ok/error first, partial results after
    const { ok, error, ...rest } = result
    await emit({ ok, error, ...rest })
  } else {
    await emit(result)
  }
  await stopNode(node)
  process.exit(result.ok ? 0 : 1)
}

// ---------------------------------------------------------------- main
async function main () {
  let mode, opts
  try {
    ({ mode, opts } = parseArgs(process.argv.slice(2)))
  } catch (err) {
    await emit({ ok: false, error: err.message })
    process.exit(2)
  }
  process.on('unhandledRejection', (err) => log('unhandled rejection:', errMessage(err)))
  if (mode === 'listen') {
    await runListen(opts)
  } else if (mode === 'dial') {
    const watchdog = setTimeout(async () => {
      await emit({ ok: false, error: `watchdog: dial run exceeded ${WATCHDOG_MS} ms` })
      process.exit(1)
    }, WATCHDOG_MS)
    watchdog.unref()
    await runDial(opts)
  } else {
    await emit({ ok: false, error: `unknown mode "${mode ?? ''}"\n${usage()}` })
    process.exit(2)
  }
}

main().catch(async (err) => {
  await emit({ ok: false, error: errMessage(err) })
  process.exit(1)
})
