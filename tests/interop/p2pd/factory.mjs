// The DaemonFactory that @libp2p/interop drives: `spawn(options)` returns a
// { client, stop } pair.
//  - type 'go': our daemon (agentp2p-p2pd, go-libp2p-daemon's flags), with its
//    control socket on a unix socket in this run's temp directory;
//  - type 'js': js-libp2p 3.x behind @libp2p/daemon-server, also on a unix socket.
// What neither side implements (relay, pubsub, TLS, mplex, non-TCP transports)
// throws UnsupportedError, which the suite reports as pending where it can.
import { spawn as spawnProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { createClient } from '@libp2p/daemon-client'
import { createServer } from '@libp2p/daemon-server'
import { identify } from '@libp2p/identify'
import { UnsupportedError } from '@libp2p/interop'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { plaintext } from '@libp2p/plaintext'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

const START_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 5_000
const verbose = process.env.P2PD_INTEROP_VERBOSE === '1'

// One temp directory per run for every control socket; removed at exit.
const runDir = mkdtempSync(join(tmpdir(), 'p2pd-interop-'))
const children = new Set()
let counter = 0
process.on('exit', () => {
  for (const c of children) { try { c.kill('SIGKILL') } catch {} }
  rmSync(runDir, { recursive: true, force: true })
})
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => process.exit(130))
}

// A fresh control socket path: js-multiaddr 13 wants the unix path
// percent-encoded in the string form; go-style tools (ours) take it plain.
function socketPath (name) {
  return join(runDir, `${name}-${++counter}.sock`)
}
function socketAddr (path) {
  return multiaddr(`/unix/${encodeURIComponent(path)}`)
}

function unsupported (options) {
  if (options.transport != null && options.transport !== 'tcp') return `transport ${options.transport}`
  if (options.encryption === 'tls') return 'tls'
  if (options.muxer === 'mplex') return 'mplex'
  if (options.relay === true) return 'relay'
  if (options.pubsub === true) return 'pubsub'
  return null
}

// Our daemon, spawned the way go-libp2p-daemon's p2pd is: ready once it
// prints "Control socket:" on stdout.
async function spawnOurs (binary, options) {
  const path = socketPath('go')
  const apiAddr = socketAddr(path)
  const args = [`-listen=/unix${path}`]
  args.push(options.noListen === true ? '-noListenAddrs' : '-hostAddrs=/ip4/127.0.0.1/tcp/0')
  if (options.encryption != null) args.push(`-${options.encryption}=true`)
  if (options.dht === true) args.push('-dhtServer')
  if (options.key != null) args.push(`-id=${options.key}`)
  args.push('-muxer=yamux')

  const child = spawnProcess(binary, args, { stdio: ['ignore', 'pipe', verbose ? 'inherit' : 'ignore'] })
  children.add(child)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    children.delete(child)
    resolve({ code, signal })
  }))
  await new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`agentp2p-p2pd did not start within ${START_TIMEOUT_MS} ms: ${out}`)), START_TIMEOUT_MS)
    child.stdout.on('data', (buf) => {
      out += buf.toString()
      if (verbose) process.stderr.write(`[p2pd ${apiAddr}] ${buf}`)
      if (out.includes('Control socket:')) { clearTimeout(timer); resolve() }
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`agentp2p-p2pd exited (code ${code}, signal ${signal}) before it was ready: ${out}`))
    })
  })
  child.stdout.resume()

  return {
    client: createClient(apiAddr),
    async stop () {
      if (child.exitCode != null || child.signalCode != null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
  }
}

// js-libp2p behind @libp2p/daemon-server.
async function spawnJs (options) {
  const privateKey = options.key != null ? privateKeyFromProtobuf(readFileSync(options.key)) : undefined
  const services = { identify: identify(), ping: ping() }
  if (options.dht === true) {
    services.dht = kadDHT({
      protocol: '/ipfs/kad/1.0.0',
      peerInfoMapper: passthroughMapper, // keep loopback addresses
      clientMode: false
    })
  }
  const node = await createLibp2p({
    privateKey,
    addresses: { listen: options.noListen === true ? [] : ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [options.encryption === 'plaintext' ? plaintext() : noise()],
    streamMuxers: [yamux()],
    services
  })
  const server = createServer(socketAddr(socketPath('js')), node)
  await server.start()
  return {
    client: createClient(server.getMultiaddr()),
    async stop () {
      await server.stop()
      await node.stop()
    }
  }
}

export function makeFactory (binary) {
  return {
    async spawn (options) {
      const why = unsupported(options)
      if (why != null) throw new UnsupportedError(`not supported here: ${why}`)
      return options.type === 'go' ? spawnOurs(binary, options) : spawnJs(options)
    }
  }
}
