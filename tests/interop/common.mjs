// Shared helpers for the js-libp2p side of the agentp2p interop tests.
// Used by js_peer.mjs and transport_interop_js.mjs.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { plaintext } from '@libp2p/plaintext'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'

export const ECHO_PROTOCOL = '/agentp2p/echo/1.0.0'
export const PING_PROTOCOL = '/ipfs/ping/1.0.0'
export const IDENTIFY_PROTOCOL = '/ipfs/id/1.0.0'
export const MAX_STREAMS = 1024

const KEY_TYPES = {
  ed25519: () => generateKeyPair('Ed25519'),
  secp256k1: () => generateKeyPair('secp256k1'),
  rsa: () => generateKeyPair('RSA', 2048)
}

export async function makeKey (keyType = 'ed25519') {
  const gen = KEY_TYPES[String(keyType).toLowerCase()]
  if (gen == null) throw new Error(`unsupported key type "${keyType}" (ed25519|secp256k1|rsa)`)
  return gen()
}

/**
 * Create (but do not start) a js-libp2p node: TCP + (Noise|plaintext) + Yamux,
 * identify and ping, configured so that fast loopback test traffic is never
 * refused by rate limiting or stream limits.
 */
export async function makeNode ({ keyType = 'ed25519', listen = [], security = 'noise', psk = null } = {}) {
  const privateKey = await makeKey(keyType)
  let encrypter
  if (security === 'noise') encrypter = noise()
  else if (security === 'plaintext') encrypter = plaintext()
  else throw new Error(`unsupported security "${security}" (noise|plaintext)`)
  // psk: the contents of a swarm key file (private network, @libp2p/pnet)
  const protector = psk == null ? {} : { connectionProtector: (await import('@libp2p/pnet')).preSharedKey({ psk }) }
  return createLibp2p({
    ...protector,
    start: false,
    privateKey,
    addresses: { listen },
    transports: [tcp()],
    connectionEncrypters: [encrypter],
    streamMuxers: [yamux({
      maxInboundStreams: MAX_STREAMS,
      maxOutboundStreams: MAX_STREAMS,
      maxEarlyStreams: 256,
      streamOptions: {
        // a paused stream may hold a full (auto-tuned, <= 16 MiB) yamux window
        maxReadBufferLength: 64 * 1024 * 1024
      }
    })],
    connectionManager: {
      allow: ['/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'],
      maxConnections: 1000,
      inboundConnectionThreshold: 1000,
      maxIncomingPendingConnections: 1000,
      dialTimeout: 15_000
    },
    services: {
      identify: identify(),
      ping: ping({ maxInboundStreams: 64, maxOutboundStreams: 64 })
    }
  })
}

/** Iterate the Uint8Array chunks of a message payload (Uint8Array or Uint8ArrayList). */
export function chunksOf (data) {
  return data instanceof Uint8Array ? [data] : [...data]
}

/**
 * Echo handler for /agentp2p/echo/1.0.0: copies every byte read back to the
 * same stream (with backpressure: pause reading while the send buffer is
 * full) until the remote closes its write side, then closes our write side.
 */
export function echoHandler (stream) {
  const onMessage = (evt) => {
    let ok
    try {
      ok = stream.send(evt.data)
    } catch (err) {
      stream.abort(err)
      return
    }
    if (!ok && stream.readStatus === 'readable') {
      stream.pause()
      stream.onDrain().then(() => {
        if (stream.readStatus === 'paused') stream.resume()
      }, () => {})
    }
  }
  stream.addEventListener('message', onMessage)
  const finish = () => {
    stream.removeEventListener('message', onMessage)
    stream.close().catch((err) => stream.abort(err))
  }
  if (stream.readableEnded) finish()
  else stream.addEventListener('end', finish, { once: true })
}

/** Reject after `ms` with a descriptive error; returns { promise, clear }. */
export function withTimeout (promise, ms, what) {
  let timer
  const t = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([promise, t]).finally(() => clearTimeout(timer))
}

/**
 * Buffered exact-length reader over a libp2p 3.x message stream.
 */
export class StreamReader {
  constructor (stream) {
    this.stream = stream
    this.bufs = []
    this.length = 0
    this.ended = false
    this.error = null
    this.waiter = null
    this.onMessage = (evt) => {
      for (const c of chunksOf(evt.data)) {
        this.bufs.push(c)
        this.length += c.byteLength
      }
      this.wake()
    }
    this.onEnd = () => { this.ended = true; this.wake() }
    this.onClose = (evt) => {
      this.ended = true
      if (evt.error != null) this.error = evt.error
      this.wake()
    }
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('end', this.onEnd)
    stream.addEventListener('close', this.onClose)
    if (stream.readableEnded) this.ended = true
  }

  wake () {
    const w = this.waiter
    this.waiter = null
    w?.()
  }

  take (n) {
    const out = new Uint8Array(n)
    let off = 0
    while (off < n) {
      const b = this.bufs[0]
      const k = Math.min(b.byteLength, n - off)
      out.set(b.subarray(0, k), off)
      off += k
      if (k === b.byteLength) this.bufs.shift()
      else this.bufs[0] = b.subarray(k)
    }
    this.length -= n
    return out
  }

  async read (n, timeoutMs, what = 'read') {
    const deadline = Date.now() + timeoutMs
    while (this.length < n) {
      if (this.error != null) throw this.error
      if (this.ended) throw new Error(`${what}: stream ended after ${this.length}/${n} bytes`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timeout after ${timeoutMs} ms: ${what}`)
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => { clearTimeout(timer); resolve() }
      })
    }
    return this.take(n)
  }

  detach () {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('end', this.onEnd)
    this.stream.removeEventListener('close', this.onClose)
  }
}

/**
 * Consume a stream until the remote closes its write side, calling onData
 * for every chunk. Resolves when the readable side ends, rejects on
 * reset/abort or when `signal` aborts.
 */
export function consume (stream, onData, signal) {
  return new Promise((resolve, reject) => {
    let done = false
    const finish = (err) => {
      if (done) return
      done = true
      stream.removeEventListener('message', onMessage)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
      if (err != null) reject(err)
      else resolve()
    }
    const onMessage = (evt) => {
      try {
        for (const c of chunksOf(evt.data)) onData(c)
      } catch (err) {
        finish(err)
      }
    }
    const onEnd = () => finish()
    const onClose = (evt) => finish(evt.error)
    const onAbort = () => finish(signal.reason ?? new Error('aborted'))
    stream.addEventListener('message', onMessage)
    stream.addEventListener('end', onEnd)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
    if (signal?.aborted) onAbort()
    else if (stream.readableEnded) finish()
  })
}

/**
 * Ping over one /ipfs/ping/1.0.0 stream: sends 32 random bytes, waits for the
 * same 32 bytes, returns the RTT in (fractional) milliseconds.
 */
export async function pingOnce (reader, timeoutMs = 10_000) {
  const payload = new Uint8Array(32)
  globalThis.crypto.getRandomValues(payload)
  const t0 = performance.now()
  reader.stream.send(payload)
  const back = await reader.read(32, timeoutMs, 'ping response')
  const rtt = performance.now() - t0
  if (Buffer.compare(Buffer.from(back), Buffer.from(payload)) !== 0) {
    throw new Error('ping response does not match the ping payload')
  }
  return rtt
}

export function errMessage (err) {
  if (err == null) return 'unknown error'
  const name = err.name != null && err.name !== 'Error' ? `${err.name}: ` : ''
  let msg = `${name}${err.message ?? String(err)}`
  if (err instanceof AggregateError && Array.isArray(err.errors) && err.errors.length > 0) {
    msg += ` [${err.errors.map(errMessage).join('; ')}]`
  }
  return msg
}
