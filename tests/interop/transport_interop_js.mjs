#!/usr/bin/env -S node
// js-libp2p 3.x test node for the libp2p test-plans transport-interop spec.
// Configured only through environment variables:
//   transport (tcp), security (noise|plaintext), muxer (yamux), is_dialer (true|false),
//   ip (listen ip, default 0.0.0.0), redis_addr (host:port, default redis:6379),
//   test_timeout_seconds (default 180)
// Listener: RPUSH listenerAddr <full multiaddr with /p2p/>, then wait to be killed
//           (exit 1 when the timeout is hit).
// Dialer:   BLPOP listenerAddr, dial, ping, print
//           {"handshakePlusOneRTTMillis": X, "pingRTTMilllis": Y} and exit 0.
// Diagnostics go to stderr; stdout carries only the dialer's JSON line.
import { multiaddr } from '@multiformats/multiaddr'
import { createClient } from 'redis'
import { PING_PROTOCOL, StreamReader, errMessage, makeNode, pingOnce, withTimeout } from './common.mjs'

const env = process.env
const transport = env.transport ?? ''
const security = env.security ?? ''
const muxer = env.muxer ?? ''
const isDialer = String(env.is_dialer ?? '').toLowerCase() === 'true'
const ip = env.ip ?? '0.0.0.0'
const redisAddr = env.redis_addr ?? 'redis:6379'
const timeoutSecs = Number(env.test_timeout_seconds ?? 180)
const KEY = 'listenerAddr'

function log (...args) {
  process.stderr.write(`[transport_interop_js ${isDialer ? 'dialer' : 'listener'}] ${args.join(' ')}\n`)
}

function fail (msg, code = 1) {
  log('error:', msg)
  process.exit(code)
}

const timer = setTimeout(() => fail(`test timeout of ${timeoutSecs} s reached`), timeoutSecs * 1000)

async function connectRedis () {
  const client = createClient({
    url: `redis://${redisAddr}`,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries) => (retries > 20 ? new Error('redis unreachable') : 250)
    }
  })
  client.on('error', (err) => log('redis error:', errMessage(err)))
  await withTimeout(client.connect(), 10_000, `connect to redis at ${redisAddr}`)
  return client
}

async function main () {
  if (transport !== 'tcp') fail(`unsupported transport "${transport}" (only tcp)`)
  if (muxer !== 'yamux') fail(`unsupported muxer "${muxer}" (only yamux)`)
  if (security !== 'noise' && security !== 'plaintext') fail(`unsupported security "${security}" (noise|plaintext)`)
  if (!Number.isFinite(timeoutSecs) || timeoutSecs <= 0) fail(`bad test_timeout_seconds "${env.test_timeout_seconds}"`)

  const redis = await connectRedis()
  const ipProto = ip.includes(':') ? 'ip6' : 'ip4'
  const node = await makeNode({ security, listen: isDialer ? [] : [`/${ipProto}/${ip}/tcp/0`] })
  await node.start()

  if (!isDialer) {
    const addrs = node.getMultiaddrs().map((a) => a.toString())
    // with ip=0.0.0.0 the node reports every interface; prefer a non-loopback one
    const addr = addrs.find((a) => !a.startsWith('/ip4/127.') && !a.startsWith('/ip6/::1/')) ?? addrs[0]
    if (addr == null) fail('listener has no addresses')
    log('listening on', addrs.join(' '), '- publishing', addr)
    await redis.rPush(KEY, addr)
    // wait to be killed; the global timer exits non-zero on timeout
    const stop = async () => {
      clearTimeout(timer)
      await withTimeout(node.stop(), 3_000, 'stop').catch(() => {})
      await redis.close().catch(() => {})
      process.exit(0)
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
    return
  }

  const popped = await redis.blPop(KEY, timeoutSecs)
  if (popped == null) fail(`no ${KEY} in redis within ${timeoutSecs} s`)
  const addr = popped.element
  log('dialing', addr)

  const handshakeStart = performance.now()
  const conn = await node.dial(multiaddr(addr), { signal: AbortSignal.timeout(Math.min(30_000, timeoutSecs * 1000)) })
  const stream = await conn.newStream(PING_PROTOCOL, { signal: AbortSignal.timeout(10_000) })
  const reader = new StreamReader(stream)
  const pingRTT = await pingOnce(reader, 10_000)
  const handshakePlusOneRTT = performance.now() - handshakeStart
  reader.detach()
  await stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => {})

  process.stdout.write(JSON.stringify({ handshakePlusOneRTTMillis: handshakePlusOneRTT, pingRTTMilllis: pingRTT }) + '\n')
  clearTimeout(timer)
  await withTimeout(node.stop(), 3_000, 'stop').catch(() => {})
  await redis.close().catch(() => {})
  process.exit(0)
}

main().catch((err) => fail(errMessage(err)))
