#!/usr/bin/env -S node
// Interop driver: runs js-libp2p (js_peer.mjs) and agentp2p (agentp2p_interop_peer)
// peers against each other over loopback and checks the results.
//
//   tests/interop/node22 tests/interop/run_interop.mjs --cpp-peer PATH [--quick]
//   tests/interop/node22 tests/interop/run_interop.mjs --only-js [--quick]
//
// Exit code 0 only if every scenario passes.
import { spawn } from 'node:child_process'
import { accessSync, constants as fsConstants } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

const HERE = dirname(fileURLToPath(import.meta.url))
const JS_PEER = join(HERE, 'js_peer.mjs')
const REQUIRED_PROTOCOLS = ['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0', '/agentp2p/echo/1.0.0']
const LISTEN_READY_TIMEOUT_MS = 30_000
const IDENTIFIED_WAIT_MS = 5_000
const GLOBAL_DEADLINE_MS = 540_000 // stay inside the ctest TIMEOUT of 600 s
const startedAt = Date.now()
const remainingMs = () => GLOBAL_DEADLINE_MS - (Date.now() - startedAt)

// ------------------------------------------------------------------ args
function parseArgs (argv) {
  const o = { quick: false, onlyJs: false, cppPeer: null, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--quick') o.quick = true
    else if (a === '--only-js') o.onlyJs = true
    else if (a === '--verbose' || a === '-v') o.verbose = true
    else if (a === '--cpp-peer') o.cppPeer = argv[++i]
    else if (a.startsWith('--cpp-peer=')) o.cppPeer = a.slice('--cpp-peer='.length)
    else if (a === '--help' || a === '-h') {
      console.log('usage: run_interop.mjs (--cpp-peer PATH | --only-js) [--quick] [--verbose]')
      process.exit(0)
    } else {
      console.error(`unknown argument: ${a}`)
      process.exit(2)
    }
  }
  return o
}

const opts = parseArgs(process.argv.slice(2))

function isExecutable (p) {
  try {
    accessSync(p, fsConstants.X_OK)
    return true
  } catch {
    return false
  }
}

if (!opts.onlyJs) {
  if (opts.cppPeer == null || !isExecutable(opts.cppPeer)) {
    console.error(`run_interop: --cpp-peer ${opts.cppPeer ?? '(missing)'} is not an executable file; ` +
      'pass a built agentp2p_interop_peer, or --only-js to run just the js<->js scenarios')
    process.exit(2)
  }
  opts.cppPeer = resolve(opts.cppPeer)
}

const SIZES = opts.quick
  ? { echoBytes: 4 * 1024 * 1024, streams: 50, streamBytes: 16384, pings: 5, dialTimeoutMs: 90_000 }
  : { echoBytes: 64 * 1024 * 1024, streams: 200, streamBytes: 65536, pings: 10, dialTimeoutMs: 180_000 }
const SMALL = { echoBytes: 1048576, streams: 10, streamBytes: 65536, pings: 10 }

// ------------------------------------------------------------------ processes
const children = new Set()

// Every peer runs in its own process group (detached), so a wrapper script
// and anything it started are killed together.
function killChild (child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    try { child.kill(signal) } catch {}
  }
}

const groups = new Set() // process group ids of every peer ever spawned

function killAll (signal = 'SIGKILL') {
  for (const c of children) killChild(c, signal)
  for (const pgid of groups) {
    try { process.kill(-pgid, signal) } catch {}
  }
}

process.on('exit', () => killAll('SIGKILL'))
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`run_interop: got ${sig}, killing children`)
    killAll('SIGKILL')
    process.exit(130)
  })
}

function peerCommand (impl) {
  if (impl === 'js') return { cmd: join(HERE, 'node22'), pre: [JS_PEER] }
  if (impl === 'cpp') return { cmd: opts.cppPeer, pre: [] }
  throw new Error(`unknown impl ${impl}`)
}

/**
 * Spawn a peer. Returns a handle with: child, lines (parsed JSON objects from
 * stdout, in order), stderr (tail), waitLine(pred, ms), exited (promise of
 * {code, signal}), stop().
 */
function spawnPeer (impl, args, label) {
  const { cmd, pre } = peerCommand(impl)
  const child = spawn(cmd, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  children.add(child)
  if (child.pid != null) groups.add(child.pid)
  const h = { child, label, lines: [], raw: [], stderr: '', waiters: [] }
  h.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
    child.on('error', (err) => {
      h.stderr += `\nspawn error: ${err.message}`
      resolve({ code: -1, signal: null, error: err })
    })
  })
  h.exited.then(() => { children.delete(child); h.notify() })
  h.notify = () => {
    for (const w of [...h.waiters]) w()
  }
  createInterface({ input: child.stdout }).on('line', (line) => {
    h.raw.push(line)
    if (opts.verbose) console.error(`[${label} stdout] ${line}`)
    const t = line.trim()
    if (t.startsWith('{')) {
      try { h.lines.push(JSON.parse(t)) } catch {}
    }
    h.notify()
  })
  child.stderr.on('data', (d) => {
    h.stderr = (h.stderr + d.toString()).slice(-8000)
    if (opts.verbose) process.stderr.write(`[${label} stderr] ${d}`)
  })
  child.stdin.on('error', () => {})
  h.waitLine = (pred, ms, what) => new Promise((resolve, reject) => {
    let timer
    const check = () => {
      const found = h.lines.find(pred)
      if (found != null) return done(null, found)
      if (child.exitCode !== null || child.signalCode !== null) {
        return done(new Error(`${label} exited (code ${child.exitCode}, signal ${child.signalCode}) before ${what}; stdout: ${tail(h.raw.join('\n'), 300)}; stderr: ${tail(h.stderr)}`))
      }
    }
    const done = (err, v) => {
      clearTimeout(timer)
      h.waiters = h.waiters.filter((w) => w !== check)
      err ? reject(err) : resolve(v)
    }
    timer = setTimeout(() => done(new Error(`${label}: timeout after ${ms} ms waiting for ${what}; stderr: ${tail(h.stderr)}`)), ms)
    h.waiters.push(check)
    check()
  })
  h.stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return h.exited
    try { child.stdin.end() } catch {}
    killChild(child, 'SIGTERM')
    const t = setTimeout(() => killChild(child, 'SIGKILL'), 3000)
    const r = await h.exited
    clearTimeout(t)
    return r
  }
  return h
}

function tail (s, n = 600) {
  s = (s ?? '').trim()
  return s.length > n ? '…' + s.slice(-n) : s
}

async function startListener (impl, keyType) {
  const args = ['listen', '--listen', '/ip4/127.0.0.1/tcp/0']
  if (keyType != null) args.push('--key-type', keyType)
  const h = spawnPeer(impl, args, `${impl}-listener`)
  let info
  try {
    info = await h.waitLine((o) => typeof o.peerId === 'string' && Array.isArray(o.addrs),
      Math.max(1_000, Math.min(LISTEN_READY_TIMEOUT_MS, remainingMs())), 'listen line')
  } catch (err) {
    await h.stop()
    throw err
  }
  const addr = info.addrs.find((a) => a.startsWith('/ip4/127.0.0.1/tcp/') && a.includes('/p2p/')) ??
    info.addrs.find((a) => a.includes('/p2p/'))
  if (addr == null) {
    await h.stop()
    throw new Error(`${impl} listener printed no /p2p/ address: ${JSON.stringify(info)}`)
  }
  return { h, info, addr }
}

/** Run a dialer to completion (bounded), return { code, result, stderr }. */
async function runDialer (impl, args, timeoutMs) {
  const left = remainingMs()
  if (left < 5_000) throw new Error('global deadline reached, scenario not run')
  timeoutMs = Math.min(timeoutMs, left)
  const h = spawnPeer(impl, ['dial', ...args], `${impl}-dialer`)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    killChild(h.child, 'SIGKILL')
  }, timeoutMs)
  try {
    const { code, signal } = await h.exited
    // let readline deliver the last line
    await new Promise((resolve) => setImmediate(resolve))
    const result = [...h.lines].reverse().find((o) => typeof o.ok === 'boolean') ?? null
    return { code, signal, timedOut, result, stderr: h.stderr, raw: h.raw }
  } finally {
    clearTimeout(timer)
    killChild(h.child, 'SIGKILL')
  }
}

function dialArgs (addr, sizes, extra = []) {
  return ['--addr', addr, '--echo-bytes', String(sizes.echoBytes), '--streams', String(sizes.streams),
    '--stream-bytes', String(sizes.streamBytes), '--pings', String(sizes.pings), ...extra]
}

async function otherPeerId () {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
}

// ------------------------------------------------------------------ checks
function median (xs) {
  if (!Array.isArray(xs) || xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

class Checker {
  constructor () { this.failures = [] }
  check (cond, msg) {
    if (!cond) this.failures.push(msg)
    return cond
  }
}

function dialFailureText (d) {
  const why = d.timedOut ? 'timed out' : `exit code ${d.code}${d.signal ? ' signal ' + d.signal : ''}`
  return `dialer ${why}; result: ${d.result ? JSON.stringify(d.result).slice(0, 500) : '(no JSON line; stdout: ' + tail(d.raw.join('\n'), 300) + ')'}; stderr: ${tail(d.stderr)}`
}

/**
 * Full connection checks for a successful dial, including the listener's
 * view of the dialer (identify on both sides).
 */
async function checkDial (c, d, listener, sizes, { full = true } = {}) {
  const r = d.result
  if (!c.check(d.code === 0 && r?.ok === true, `dial failed: ${dialFailureText(d)}`)) return
  c.check(typeof r.connectMs === 'number' && r.connectMs > 0, `connectMs not > 0: ${r.connectMs}`)
  c.check(Array.isArray(r.pingRttMs) && r.pingRttMs.length === sizes.pings && r.pingRttMs.every((x) => typeof x === 'number' && x > 0),
    `pingRttMs must be ${sizes.pings} values > 0: ${JSON.stringify(r.pingRttMs)}`)
  const rem = r.remote ?? {}
  c.check(rem.peerId === listener.info.peerId, `remote.peerId ${rem.peerId} != listener ${listener.info.peerId}`)
  const protos = Array.isArray(rem.protocols) ? rem.protocols : []
  for (const p of REQUIRED_PROTOCOLS) c.check(protos.includes(p), `remote.protocols lacks ${p}: ${JSON.stringify(protos)}`)
  c.check(Array.isArray(rem.listenAddrs) && rem.listenAddrs.length > 0, `remote.listenAddrs empty: ${JSON.stringify(rem.listenAddrs)}`)
  c.check(typeof rem.agentVersion === 'string' && rem.agentVersion.length > 0, `remote.agentVersion empty: ${JSON.stringify(rem.agentVersion)}`)
  if (full) {
    c.check(r.echo?.intact === true && r.echo?.bytes === sizes.echoBytes, `echo not intact: ${JSON.stringify(r.echo)}`)
    c.check(r.streams?.count === sizes.streams && r.streams?.intact === sizes.streams, `streams not all intact: ${JSON.stringify(r.streams)}`)
  } else {
    c.check(r.echo?.intact === true, `echo not intact: ${JSON.stringify(r.echo)}`)
    c.check(r.streams?.intact === r.streams?.count, `streams not all intact: ${JSON.stringify(r.streams)}`)
  }
  // identify in the other direction: the listener must report the dialer
  const dialerId = typeof r.peerId === 'string' ? r.peerId : null
  const pred = (o) => o.event === 'identified' &&
    (dialerId != null ? o.peerId === dialerId : o.peerId !== listener.info.peerId)
  let ev = null
  try {
    ev = await listener.h.waitLine(pred, IDENTIFIED_WAIT_MS, `"identified" event for dialer ${dialerId ?? '(id not reported)'}`)
  } catch (err) {
    c.check(false, `listener never identified the dialer: ${err.message}`)
  }
  if (ev != null) {
    const lp = Array.isArray(ev.protocols) ? ev.protocols : []
    for (const p of REQUIRED_PROTOCOLS) c.check(lp.includes(p), `listener's identify of dialer lacks ${p}: ${JSON.stringify(lp)}`)
    c.check(typeof ev.agentVersion === 'string' && ev.agentVersion.length > 0, 'listener saw empty dialer agentVersion')
  }
}

function checkMismatch (c, d, expected) {
  const r = d.result
  c.check(!d.timedOut, `wrong-peer dial timed out: ${dialFailureText(d)}`)
  c.check(d.code !== 0 && d.code !== null, `wrong-peer dial must exit non-zero, got ${d.code}`)
  c.check(r?.ok === false, `wrong-peer dial must print ok:false: ${JSON.stringify(r)}`)
  const msg = String(r?.error ?? '')
  c.check(/peer/i.test(msg) && /mismatch|expected/i.test(msg),
    `wrong-peer error must mention the peer id mismatch ('peer' and 'mismatch'|'expected'): ${JSON.stringify(msg)}`)
}

// ------------------------------------------------------------------ scenarios
const results = []

async function scenario (name, fn) {
  const c = new Checker()
  const row = { name, pass: false, failures: c.failures, numbers: null }
  const t0 = Date.now()
  const started = []
  try {
    if (remainingMs() < 5_000) throw new Error(`not run: global deadline of ${GLOBAL_DEADLINE_MS / 1000} s reached`)
    await fn(c, row, started)
  } catch (err) {
    c.check(false, `${err?.message ?? err}`)
  } finally {
    for (const h of started) await h.stop()
  }
  row.pass = c.failures.length === 0
  row.secs = (Date.now() - t0) / 1000
  results.push(row)
  console.error(`${row.pass ? 'PASS' : 'FAIL'} ${name} (${row.secs.toFixed(1)} s)`)
  for (const f of c.failures) console.error(`     - ${f}`)
}

function numbersOf (r) {
  if (r == null || r.ok !== true) return null
  return {
    connectMs: r.connectMs,
    pingMs: median(r.pingRttMs),
    mbps: r.echo?.mbps,
    streamsMs: r.streams?.ms
  }
}

/** listener impl `li` (key lk), dialer impl `di` (key dk): full check. */
function connectScenario (name, li, di, sizes, { lk, dk, full = true } = {}) {
  return scenario(name, async (c, row, started) => {
    const L = await startListener(li, lk)
    started.push(L.h)
    const extra = dk != null ? ['--key-type', dk] : []
    const d = await runDialer(di, dialArgs(L.addr, sizes, extra), full ? SIZES.dialTimeoutMs : 60_000)
    row.numbers = numbersOf(d.result)
    await checkDial(c, d, L, sizes, { full })
    c.check(L.h.child.exitCode === null, `listener died during the scenario; stderr: ${tail(L.h.stderr)}`)
  })
}

/** dialer `di` dials listener `li` with --expect-peer <other id>; must fail. */
function mismatchScenario (name, li, di) {
  return scenario(name, async (c, row, started) => {
    const L = await startListener(li)
    started.push(L.h)
    const wrong = await otherPeerId()
    const d = await runDialer(di, dialArgs(L.addr, SMALL, ['--expect-peer', wrong]), 60_000)
    checkMismatch(c, d, wrong)
    // the listener must survive the aborted handshake and still serve a good dial
    const ok = await runDialer(di, dialArgs(L.addr, { ...SMALL, streams: 2, echoBytes: 65536 }), 60_000)
    c.check(ok.code === 0 && ok.result?.ok === true, `follow-up correct dial after the mismatch failed: ${dialFailureText(ok)}`)
  })
}

async function main () {
  console.error(`run_interop: ${opts.onlyJs ? 'js-only' : 'js <-> cpp'}${opts.quick ? ' (quick)' : ''}; ` +
    `node ${process.version}; cpp peer: ${opts.cppPeer ?? '-'}`)

  await connectScenario('a  js -> js', 'js', 'js', SIZES)
  if (!opts.onlyJs) {
    await connectScenario('b  js -> cpp', 'cpp', 'js', SIZES)
    await connectScenario('c  cpp -> js', 'js', 'cpp', SIZES)
  }
  for (const kt of ['secp256k1', 'rsa']) {
    if (opts.onlyJs) {
      await connectScenario(`d  js -> js (${kt})`, 'js', 'js', SMALL, { lk: kt, dk: kt, full: false })
    } else {
      await connectScenario(`d  cpp -> js (${kt})`, 'js', 'cpp', SMALL, { lk: kt, dk: kt, full: false })
      await connectScenario(`d  js -> cpp (${kt})`, 'cpp', 'js', SMALL, { lk: kt, dk: kt, full: false })
    }
  }
  if (opts.onlyJs) {
    await mismatchScenario('e  js -> js wrong peer id', 'js', 'js')
  } else {
    await mismatchScenario('e  cpp -> js wrong peer id', 'js', 'cpp')
    await mismatchScenario('e  js -> cpp wrong peer id', 'cpp', 'js')
  }

  // summary
  const fmt = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-')
  const rows = results.map((r) => [
    r.name, r.pass ? 'PASS' : 'FAIL',
    fmt(r.numbers?.connectMs), fmt(r.numbers?.pingMs, 3), fmt(r.numbers?.mbps), fmt(r.numbers?.streamsMs)
  ])
  const head = ['scenario', 'result', 'connectMs', 'ping ms (median)', 'echo MB/s', 'streams ms']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells) => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ')
  console.log('')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of rows) console.log(line(r))
  const failed = results.filter((r) => !r.pass)
  console.log('')
  if (failed.length > 0) {
    console.log('failures:')
    for (const r of failed) for (const f of r.failures) console.log(`  ${r.name}: ${f}`)
    console.log('')
  }
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`)
  killAll('SIGKILL')
  process.exit(failed.length === 0 ? 0 : 1)
}

main().catch((err) => {
  console.error('run_interop: fatal:', err?.stack ?? err)
  killAll('SIGKILL')
  process.exit(1)
})
