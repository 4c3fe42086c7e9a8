#!/usr/bin/env -S node
// Private network (pnet PSK v1) interop: agentp2p_interop_peer and js-libp2p
// with @libp2p/pnet, each direction, with the same swarm key (ping, identify,
// echo, many streams must work) and with a different key / no key (the dial
// must fail; agentp2p's error must name the private network).
//
//   tests/interop/node22 tests/interop/run_pnet_interop.mjs --cpp-peer PATH
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { generateKey } from '@libp2p/pnet'

const HERE = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const cppPeer = args[args.indexOf('--cpp-peer') + 1]
if (args.indexOf('--cpp-peer') === -1 || cppPeer == null) {
  console.error('usage: run_pnet_interop.mjs --cpp-peer PATH')
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'pnet-interop-'))
const children = new Set()
const cleanup = () => {
  for (const c of children) { try { process.kill(-c.pid, 'SIGKILL') } catch {} }
  rmSync(dir, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

function keyFile (name) {
  const buf = new Uint8Array(95)
  generateKey(buf) // js-libp2p's own generator: checks we read its format
  const path = join(dir, name)
  writeFileSync(path, buf, { mode: 0o600 })  // agentp2p refuses a key other users can read
  return path
}

function command (impl, rest) {
  return impl === 'js' ? [join(HERE, 'node22'), [join(HERE, 'js_peer.mjs'), ...rest]] : [cppPeer, rest]
}

// Runs a peer; resolves with its first JSON line (listen) or its result line (dial).
function run (impl, rest, { firstLine }) {
  const [cmd, argv] = command(impl, rest)
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  children.add(child)
  child.on('exit', () => children.delete(child))
  let stderr = ''
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000) })
  const line = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${impl} ${rest[0]}: no output in 60 s; stderr: ${stderr}`)), 60_000)
    let last = null
    createInterface({ input: child.stdout }).on('line', (l) => {
      if (!l.startsWith('{')) return
      last = JSON.parse(l)
      if (firstLine) { clearTimeout(timer); resolve(last) }
    })
    child.on('exit', () => { clearTimeout(timer); last != null ? resolve(last) : reject(new Error(`${impl} exited without output; stderr: ${stderr}`)) })
  })
  return { child, line, stderr: () => stderr }
}

function stop (p) {
  try { process.kill(-p.child.pid, 'SIGKILL') } catch {}
}

const SMALL = ['--echo-bytes', '1048576', '--streams', '20', '--stream-bytes', '16384', '--pings', '3']
const key = keyFile('swarm.key')
const otherKey = keyFile('other.key')
let failures = 0

async function scenario (name, listener, listenKey, dialer, dialKey, expectOk) {
  const t0 = Date.now()
  const l = run(listener, ['listen', ...(listenKey ? ['--psk', listenKey] : [])], { firstLine: true })
  let verdict
  try {
    const info = await l.line
    const addr = info.addrs[0].includes('/p2p/') ? info.addrs[0] : `${info.addrs[0]}/p2p/${info.peerId}`
    const d = run(dialer, ['dial', '--addr', addr, ...SMALL, ...(dialKey ? ['--psk', dialKey] : [])], { firstLine: false })
    const res = await d.line
    if (expectOk) {
      verdict = res.ok ? `ok (connect ${res.connectMs ?? '?'} ms, echo ${res.echo?.mbps ?? '?'} MB/s, ${res.streams?.intact ?? '?'} streams)` : null
      if (!res.ok) verdict = `FAIL: ${res.error}`
    } else if (res.ok) {
      verdict = 'FAIL: connected without the right key'
    } else if (dialer === 'cpp' && !/private network/.test(res.error)) {
      verdict = `FAIL: refused, but the error does not mention the private network: ${res.error}`
    } else {
      verdict = `refused as expected: ${res.error.slice(0, 240)}`
    }
  } catch (err) {
    verdict = `FAIL: ${err.message}`
  } finally {
    stop(l)
  }
  if (verdict.startsWith('FAIL')) failures++
  console.log(`${name}: ${verdict} [${Date.now() - t0} ms]`)
}

await scenario('js(pnet) listens, cpp(pnet) dials', 'js', key, 'cpp', key, true)
await scenario('cpp(pnet) listens, js(pnet) dials', 'cpp', key, 'js', key, true)
await scenario('js(pnet) listens, cpp(other key) dials', 'js', key, 'cpp', otherKey, false)
await scenario('cpp(pnet) listens, js(other key) dials', 'cpp', key, 'js', otherKey, false)
await scenario('js(pnet) listens, cpp(no key) dials', 'js', key, 'cpp', null, false)
await scenario('cpp(pnet) listens, js(no key) dials', 'cpp', key, 'js', null, false)
console.log(failures === 0 ? 'pnet interop: all scenarios passed' : `pnet interop: ${failures} scenario(s) failed`)
process.exit(failures === 0 ? 0 : 1)
