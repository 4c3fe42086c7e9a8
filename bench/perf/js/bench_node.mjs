// The js-libp2p reference of the benchmark suite (bench/perf/run_bench.py):
// a js-libp2p 3.x node (TCP + Noise + Yamux, identify, ping) serving the
// same protocols as agentp2p-bench, and a client measuring js against js.
//
//   bench_node.mjs server                          → {"peerId","addrs"}; serves until stdin closes
//   bench_node.mjs perf    --addr MA --upload-bytes N --download-bytes N
//   bench_node.mjs dial|ping|rr --addr MA --count N
//   bench_node.mjs streams --addr MA --count N --inflight K
// Protocols: /perf/1.0.0 (libp2p perf spec), /bench/rr/1.0.0 (100-byte
// request, 100-byte reply), /praxis/tool/1.0.0 (tool "echo", JSON lines).
// Client modes print one JSON line in agentp2p-bench's format.
// Run with tests/interop/node22 (node_modules is a link to tests/interop's).
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const PERF = '/perf/1.0.0'
const RR = '/bench/rr/1.0.0'
const TOOL = '/praxis/tool/1.0.0'
const PING = '/ipfs/ping/1.0.0'
const RR_SIZE = 100
const MANY = 100_000
const IO_TIMEOUT_MS = 60_000

function parseArgs (argv) {
  const opts = { mode: argv[0] }
  for (let i = 1; i < argv.length; i += 2) opts[argv[i].replace(/^--/, '')] = argv[i + 1]
  return opts
}

async function makeNode (listen) {
  return createLibp2p({
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux({ maxInboundStreams: 4096, maxOutboundStreams: 4096 })],
    connectionManager: {
      allow: ['/ip4/127.0.0.0/ipcidr/8'],
      maxConnections: 50_000,
      inboundConnectionThreshold: MANY,
      maxIncomingPendingConnections: 4096,
      maxParallelDials: 1000,
      // A loaded machine can hold one handshake for seconds: the defaults
      // (6 s per address, 10 s per upgrade) failed a dial now and then.
      dialTimeout: IO_TIMEOUT_MS,
      addressDialTimeout: IO_TIMEOUT_MS,
      inboundUpgradeTimeout: IO_TIMEOUT_MS,
      inboundStreamProtocolNegotiationTimeout: IO_TIMEOUT_MS,
      outboundStreamProtocolNegotiationTimeout: IO_TIMEOUT_MS
    },
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: 1024, maxOutboundStreams: 1024 })
    }
  })
}

function chunksOf (data) {
  return data instanceof Uint8Array ? [data] : [...data]
}

/** Calls onData for every chunk until the remote ends its write side. */
function consume (stream, onData) {
  return new Promise((resolve, reject) => {
    const onMessage = (evt) => { for (const c of chunksOf(evt.data)) onData(c) }
    const done = (err) => {
      stream.removeEventListener('message', onMessage)
      if (err != null) reject(err)
      else resolve()
    }
    stream.addEventListener('message', onMessage)
    stream.addEventListener('end', () => done(), { once: true })
    stream.addEventListener('close', (evt) => done(evt.error), { once: true })
    if (stream.readableEnded) done()
  })
}

async function sendAll (stream, data) {
  if (!stream.send(data)) await stream.onDrain({ signal: AbortSignal.timeout(IO_TIMEOUT_MS) })
}

async function sendZeros (stream, n) {
  const chunk = new Uint8Array(256 * 1024)
  while (n > 0) {
    const k = Math.min(n, chunk.byteLength)
    await sendAll(stream, k === chunk.byteLength ? chunk : chunk.subarray(0, k))
    n -= k
  }
}

// ---------------------------------------------------------------- server
async function perfHandler (stream) {
  try {
    let header = new Uint8Array(0)
    await consume(stream, (c) => {
      if (header.byteLength < 8) {
        const next = new Uint8Array(header.byteLength + c.byteLength)
        next.set(header); next.set(c, header.byteLength)
        header = next
      }
    })
    const want = Number(new DataView(header.buffer, header.byteOffset, 8).getBigUint64(0))
    await sendZeros(stream, want)
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

async function rrHandler (stream) {
  try {
    await consume(stream, () => {})
    stream.send(new Uint8Array(RR_SIZE))
    await stream.close()
  } catch (err) {
    stream.abort(err)
  }
}

const enc = new TextEncoder()
const dec = new TextDecoder()

async function toolHandler (stream) {
  try {
    let buf = ''
    let answered = false
    const onMessage = (evt) => {
      for (const c of chunksOf(evt.data)) buf += dec.decode(c, { stream: true })
      const nl = buf.indexOf('\n')
      if (nl === -1 || answered) return
      answered = true
      const req = JSON.parse(buf.slice(0, nl))
      const reply = req.name === 'echo'
        ? { id: req.id, result: { text: req.arguments?.text } }
        : { id: req.id, result: null, error: { code: -32601, message: `unknown tool "${req.name}"` } }
      stream.send(enc.encode(JSON.stringify(reply) + '\n'))
      stream.close().catch((err) => stream.abort(err))
    }
    stream.addEventListener('message', onMessage)
  } catch (err) {
    stream.abort(err)
  }
}

async function runServer () {
  const node = await makeNode(['/ip4/127.0.0.1/tcp/0'])
  const limits = { maxInboundStreams: 4096, maxOutboundStreams: 4096 }
  await node.handle(PERF, perfHandler, limits)
  await node.handle(RR, rrHandler, limits)
  await node.handle(TOOL, toolHandler, limits)
  await node.start()
  const addrs = node.getMultiaddrs().map((a) => a.toString())
  process.stdout.write(JSON.stringify({ peerId: node.peerId.toString(), addrs }) + '\n')
  const stop = async () => { await node.stop().catch(() => {}); process.exit(0) }
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  process.on('SIGTERM', stop)
}

// ---------------------------------------------------------------- clients
function summary (metric, us, seconds, errors) {
  us.sort((a, b) => a - b)
  const q = (p) => us.length === 0 ? 0 : us[Math.min(us.length - 1, Math.round(p * (us.length - 1)))]
  return { metric, count: us.length, errors, median_us: q(0.5), p95_us: q(0.95), per_second: seconds > 0 ? us.length / seconds : 0 }
}

async function pingOnce (stream, reader) {
  const payload = crypto.getRandomValues(new Uint8Array(32))
  const t0 = performance.now()
  stream.send(payload)
  await reader(32)
  return (performance.now() - t0) * 1000
}

/** A reader of exactly n bytes over a message stream. */
function exactReader (stream) {
  let have = 0
  let waiter = null
  let failed = null
  stream.addEventListener('message', (evt) => {
    for (const c of chunksOf(evt.data)) have += c.byteLength
    waiter?.()
  })
  stream.addEventListener('close', (evt) => { failed = evt.error ?? new Error('stream closed'); waiter?.() })
  return async (n) => {
    while (have < n) {
      if (failed != null) throw failed
      await new Promise((resolve) => { waiter = resolve })
      waiter = null
    }
    have -= n
  }
}

async function rrOnce (conn) {
  const s = await conn.newStream(RR, { maxOutboundStreams: 4096 })
  let got = 0
  const read = consume(s, (c) => { got += c.byteLength })
  s.send(new Uint8Array(RR_SIZE))
  await s.close()
  await read
  if (got !== RR_SIZE) throw new Error(`rr: ${got} bytes`)
}

async function runClient (opts) {
  const node = await makeNode([])
  await node.start()
  const ma = multiaddr(opts.addr)
  const count = Number(opts.count ?? 1000)
  let out
  if (opts.mode === 'perf') {
    const up = Number(opts['upload-bytes'] ?? 0)
    const down = Number(opts['download-bytes'] ?? 0)
    const conn = await node.dial(ma)
    const t0 = performance.now()
    const s = await conn.newStream(PERF)
    let got = 0
    const read = consume(s, (c) => { got += c.byteLength })
    const header = new Uint8Array(8)
    new DataView(header.buffer).setBigUint64(0, BigInt(down))
    await sendAll(s, header)
    await sendZeros(s, up)
    await s.close()
    await read
    const secs = (performance.now() - t0) / 1000
    if (got !== down) throw new Error(`perf: got ${got} of ${down}`)
    out = { type: 'final', timeSeconds: secs, uploadBytes: up, downloadBytes: down }
  } else if (opts.mode === 'dial') {
    const us = []
    let errors = 0
    const t0 = performance.now()
    for (let i = 0; i < count; i++) {
      const start = performance.now()
      try {
        const conn = await node.dial(ma)
        const s = await conn.newStream(PING)
        await pingOnce(s, exactReader(s))
        us.push((performance.now() - start) * 1000)
        await conn.close()
      } catch (err) {
        errors++
        process.stderr.write(`dial: ${err.message}\n`)
      }
    }
    out = summary('dial', us, (performance.now() - t0) / 1000, errors)
  } else if (opts.mode === 'ping') {
    const conn = await node.dial(ma)
    const s = await conn.newStream(PING)
    const reader = exactReader(s)
    for (let i = 0; i < 100; i++) await pingOnce(s, reader)
    const us = []
    const t0 = performance.now()
    for (let i = 0; i < count; i++) us.push(await pingOnce(s, reader))
    out = summary('ping', us, (performance.now() - t0) / 1000, 0)
  } else if (opts.mode === 'rr' || opts.mode === 'streams') {
    const conn = await node.dial(ma)
    const inflight = opts.mode === 'rr' ? 1 : Number(opts.inflight ?? 64)
    const run = async (total, us) => {
      let next = 0
      let errors = 0
      const worker = async () => {
        while (next < total) {
          next++
          const start = performance.now()
          try {
            await rrOnce(conn)
            us.push((performance.now() - start) * 1000)
          } catch (err) {
            errors++
          }
        }
      }
      await Promise.all(Array.from({ length: inflight }, worker))
      return errors
    }
    await run(Math.min(500, Math.floor(count / 10) + 1), [])
    const us = []
    const t0 = performance.now()
    const errors = await run(count, us)
    out = summary(opts.mode, us, (performance.now() - t0) / 1000, errors)
  } else {
    throw new Error(`unknown mode ${opts.mode}`)
  }
  process.stdout.write(JSON.stringify(out) + '\n')
  await node.stop().catch(() => {})
  process.exit(0)
}

const opts = parseArgs(process.argv.slice(2))
const main = opts.mode === 'server' ? runServer() : runClient(opts)
main.catch((err) => {
  process.stderr.write(`bench_node: ${err?.stack ?? err}\n`)
  process.exit(1)
})
