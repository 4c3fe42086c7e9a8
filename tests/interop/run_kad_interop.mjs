#!/usr/bin/env -S node
// Kademlia DHT interop: two agentp2p nodes (agentp2p_kad_peer, C++) and two
// js-libp2p nodes with @libp2p/kad-dht in server mode, linked in a chain
//   C1 — J1 — C2 — J2
// so that every lookup has to walk through both implementations. Checks, both
// ways: FIND_NODE (peer routing), PUT_VALUE/GET_VALUE of /pk/ records,
// ADD_PROVIDER/GET_PROVIDERS of a tool's capability CID, and our signed
// /agentp2p-card/ record stored at and served by js nodes.
//
//   tests/interop/node22 tests/interop/run_kad_interop.mjs --cpp-peer PATH [--verbose]
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { fromString as u8FromString, toString as u8ToString } from 'uint8arrays'
import { withTimeout } from './common.mjs'

const STEP_TIMEOUT_MS = 30_000
const GLOBAL_DEADLINE_MS = 240_000

let cppPeer = null
let verbose = false
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i]
  if (a === '--cpp-peer') cppPeer = resolve(process.argv[++i])
  else if (a === '--verbose') verbose = true
  else { console.error(`unknown argument ${a}`); process.exit(2) }
}
if (cppPeer == null) { console.error('usage: run_kad_interop.mjs --cpp-peer PATH'); process.exit(2) }

const children = []
process.on('exit', () => { for (const c of children) { try { c.kill('SIGKILL') } catch {} } })
setTimeout(() => { console.error('kad interop: global deadline passed'); process.exit(1) }, GLOBAL_DEADLINE_MS).unref()

// A C++ peer: JSON lines in, JSON lines out, one reply per command, in order.
function startCpp (name) {
  const child = spawn(cppPeer, [], { stdio: ['pipe', 'pipe', verbose ? 'inherit' : 'ignore'] })
  children.push(child)
  const lines = createInterface({ input: child.stdout })
  const queue = []
  let waiting = []
  lines.on('line', (l) => {
    if (verbose) console.error(`[${name}] ${l}`)
    const msg = JSON.parse(l)
    const w = waiting.shift()
    if (w) w(msg)
    else queue.push(msg)
  })
  const next = () => queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))
  return {
    name,
    ready: withTimeout(next(), STEP_TIMEOUT_MS, `${name} ready`),
    async cmd (o) {
      child.stdin.write(JSON.stringify(o) + '\n')
      return withTimeout(next(), STEP_TIMEOUT_MS, `${name} ${o.cmd}`)
    },
    close () { child.stdin.end() }
  }
}

// Accepts agentp2p card records structurally (the C++ side verifies signatures).
function cardValidator (key, value) {
  const o = JSON.parse(u8ToString(value))
  if (typeof o.card !== 'string' || typeof o.signature !== 'string' || typeof o.publicKey !== 'string') {
    throw new Error('not an agentp2p card record')
  }
}

async function startJs () {
  const node = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/8'], maxConnections: 100 },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        clientMode: false,
        peerInfoMapper: passthroughMapper, // keep loopback addresses
        validators: { 'agentp2p-card': cardValidator },
        selectors: { 'agentp2p-card': () => 0 }
      })
    }
  })
  return node
}

async function toolCid (name) {
  return CID.createV1(0x55, await sha256.digest(u8FromString(`agentp2p:tool:${name}`)))
}

function pkKey (peerId) {
  const mh = peerId.toMultihash().bytes
  const key = new Uint8Array(4 + mh.length)
  key.set(u8FromString('/pk/'), 0)
  key.set(mh, 4)
  return key
}

const results = []
async function check (name, fn) {
  const t0 = Date.now()
  try {
    const detail = await withTimeout(fn(), STEP_TIMEOUT_MS * 2, name)
    results.push({ name, ok: true, ms: Date.now() - t0, detail })
  } catch (err) {
    results.push({ name, ok: false, ms: Date.now() - t0, detail: String(err?.message ?? err) })
  }
}

function assert (cond, msg) { if (!cond) throw new Error(msg) }

async function main () {
  const c1 = startCpp('C1')
  const c2 = startCpp('C2')
  const [r1, r2] = [await c1.ready, await c2.ready]
  const j1 = await startJs()
  const j2 = await startJs()
  const jaddr = (n) => n.getMultiaddrs()[0].toString()
  const id = (s) => peerIdFromString(s)

  // Chain C1 — J1 — C2 — J2 (connections made by the C++ side, so both sides identify).
  await check('link C1-J1', async () => { const r = await c1.cmd({ cmd: 'connect', addr: jaddr(j1) }); assert(r.ok, r.error); return r })
  await check('link C2-J1', async () => { const r = await c2.cmd({ cmd: 'connect', addr: jaddr(j1) }); assert(r.ok, r.error); return r })
  await check('link C2-J2', async () => { const r = await c2.cmd({ cmd: 'connect', addr: jaddr(j2) }); assert(r.ok, r.error); return r })
  // js adds peers to its routing table after identify, asynchronously.
  const waitTable = async (node, peer) => {
    for (let i = 0; i < 100; i++) {
      const peers = [...node.services.dht.routingTable.kb.toIterable()].map((c) => c.peerId.toString())
      if (peers.includes(peer)) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    throw new Error(`js routing table never got ${peer}`)
  }
  await check('js tables hold our nodes', async () => {
    await waitTable(j1, r1.peerId)
    await waitTable(j1, r2.peerId)
    await waitTable(j2, r2.peerId)
  })

  await check('C1 finds J2 (through J1 and C2)', async () => {
    const r = await c1.cmd({ cmd: 'find_peer', peer: j2.peerId.toString() })
    assert(r.ok, r.error)
    assert(r.addrs.length > 0, 'no addresses')
    return { hops: r.hops }
  })
  await check('J2 finds C1 (through C2 and J1)', async () => {
    const info = await j2.peerRouting.findPeer(id(r1.peerId))
    assert(info.multiaddrs.length > 0, 'no addresses')
    return { addrs: info.multiaddrs.map(String) }
  })

  await check('C1 provides a tool, J2 finds the provider', async () => {
    const p = await c1.cmd({ cmd: 'provide', name: 'interop-tool' })
    assert(p.ok, p.error)
    const cid = await toolCid('interop-tool')
    const found = []
    for await (const prov of j2.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(20_000) })) {
      found.push(prov.id.toString())
      if (found.includes(r1.peerId)) break
    }
    assert(found.includes(r1.peerId), `providers: ${found}`)
    return { stored: p.stored, found }
  })
  await check('J2 provides a tool, C1 finds the provider', async () => {
    const cid = await toolCid('js-tool')
    await j2.contentRouting.provide(cid, { signal: AbortSignal.timeout(20_000) })
    const r = await c1.cmd({ cmd: 'find_providers', name: 'js-tool' })
    assert(r.ok, r.error)
    assert(r.providers.includes(j2.peerId.toString()), `providers: ${r.providers}`)
    return r
  })

  await check('C1 puts /pk/C1, J2 gets it', async () => {
    const p = await c1.cmd({ cmd: 'put_pk' })
    assert(p.ok && p.stored > 0, p.error ?? 'stored nowhere')
    const v = await j2.contentRouting.get(pkKey(id(r1.peerId)), { signal: AbortSignal.timeout(20_000) })
    assert(v.length > 0, 'empty value')
    return { stored: p.stored }
  })
  await check('J2 puts /pk/J2, C1 gets it', async () => {
    await j2.contentRouting.put(pkKey(j2.peerId), publicKeyToProtobuf(j2.peerId.publicKey),
      { signal: AbortSignal.timeout(20_000) })
    const r = await c1.cmd({ cmd: 'get_pk', peer: j2.peerId.toString() })
    assert(r.ok && r.matches, r.error ?? 'wrong key')
    return r
  })
  await check('C1 publishes its signed card record, J2 reads it', async () => {
    const p = await c1.cmd({ cmd: 'put_card' })
    assert(p.ok && p.stored > 0, p.error ?? 'stored nowhere')
    const key = Uint8Array.from(Buffer.from(p.key_hex, 'hex'))
    const v = await j2.contentRouting.get(key, { signal: AbortSignal.timeout(20_000) })
    const o = JSON.parse(u8ToString(v))
    const card = JSON.parse(o.card)
    assert(card.peerId === r1.peerId, `card names ${card.peerId}`)
    // And C2 reads it back (validating the signature) from wherever it landed.
    const g = await c2.cmd({ cmd: 'get', key_hex: p.key_hex })
    assert(g.ok, g.error)
    return { stored: p.stored }
  })

  c1.close(); c2.close()
  await Promise.all([j1.stop(), j2.stop()])
  let failed = 0
  for (const r of results) {
    if (!r.ok) failed++
    console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  (${r.ms} ms)  ${JSON.stringify(r.detail ?? '')}`)
  }
  console.log(`${results.length - failed}/${results.length} passed`)
  process.exit(failed === 0 ? 0 : 1)
}

main().catch((err) => { console.error(err); process.exit(1) })
