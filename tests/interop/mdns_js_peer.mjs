#!/usr/bin/env -S node
// js-libp2p node with @libp2p/mdns for the mDNS tests in network namespaces
// (tests/discovery/netns_mdns.sh). Listens on all interfaces, dials every
// peer mDNS reports.
//
//   mdns_js_peer.mjs [--interval-ms 500] [--timeout-s 40]
//
// stdout: JSON lines {"event":"ready","peer":ID,"addrs":[...]},
// {"event":"found","peer":ID}, {"event":"connected","peer":ID}. Runs until
// SIGTERM/SIGINT or the timeout.
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'

const opts = { 'interval-ms': '500', 'timeout-s': '40' }
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '')
  if (!(key in opts) || argv[i + 1] == null) {
    process.stderr.write('usage: mdns_js_peer.mjs [--interval-ms N] [--timeout-s N]\n')
    process.exit(2)
  }
  opts[key] = argv[i + 1]
}

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const log = (...args) => process.stderr.write(`[mdns_js_peer ${process.pid}] ${args.join(' ')}\n`)

const node = await createLibp2p({
  addresses: { listen: ['/ip4/0.0.0.0/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // The test networks are private ranges: never rate-limit or refuse them.
  connectionManager: {
    allow: ['/ip4/10.0.0.0/ipcidr/8', '/ip4/127.0.0.0/ipcidr/8', '/ip6/::1/ipcidr/128'],
    dialTimeout: 15_000
  },
  peerDiscovery: [mdns({ interval: Number(opts['interval-ms']) })],
  services: { identify: identify() }
})

node.addEventListener('peer:discovery', (evt) => {
  const id = evt.detail.id.toString()
  emit({ event: 'found', peer: id, addrs: evt.detail.multiaddrs.map(String) })
  node.dial(evt.detail.id).catch((err) => log(`dial ${id} failed: ${err.message}`))
})
node.addEventListener('peer:connect', (evt) => emit({ event: 'connected', peer: evt.detail.toString() }))

await node.start()
emit({ event: 'ready', peer: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })

let stopping = false
const stop = async (code) => {
  if (stopping) return
  stopping = true
  await node.stop().catch(() => {})
  process.exit(code)
}
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
setTimeout(() => stop(0), Number(opts['timeout-s']) * 1000).unref()
