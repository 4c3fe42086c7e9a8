#!/usr/bin/env -S node
// Praxis interop driver: a js-libp2p praxis agent (praxis_js_peer.mjs, written
// from the praxis wire format) against agentp2p's node (agentp2p_praxis_peer):
// card exchange, tool calls and A2A message/send in both directions, and a
// spoofed card that our node must reject.
//
//   tests/interop/node22 tests/interop/run_praxis_interop.mjs --cpp-peer PATH [--verbose]
//
// Exit code 0 only if every scenario passes; every child is killed at the end.
import { spawn } from 'node:child_process'
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const JS_PEER = join(HERE, 'praxis_js_peer.mjs')
const READY_TIMEOUT_MS = 30_000
const CMD_TIMEOUT_MS = 60_000
const SCENARIO_TIMEOUT_MS = 90_000
const GLOBAL_DEADLINE_MS = 270_000 // inside the ctest TIMEOUT of 300 s
const CPP_NAME = 'cpp-praxis-agent'
const JS_NAME = 'js-praxis-agent'

function parseArgs (argv) {
  const o = { cppPeer: null, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--verbose' || a === '-v') o.verbose = true
    else if (a === '--cpp-peer') o.cppPeer = argv[++i]
    else if (a.startsWith('--cpp-peer=')) o.cppPeer = a.slice('--cpp-peer='.length)
    else if (a === '--help' || a === '-h') {
      console.log('usage: run_praxis_interop.mjs --cpp-peer PATH [--verbose]')
      process.exit(0)
    } else {
      console.error(`unknown argument: ${a}`)
      process.exit(2)
    }
  }
  return o
}

const opts = parseArgs(process.argv.slice(2))
try {
  accessSync(opts.cppPeer ?? '', fsConstants.X_OK)
} catch {
  console.error(`run_praxis_interop: --cpp-peer ${opts.cppPeer ?? '(missing)'} is not an executable file; ` +
    'pass a built agentp2p_praxis_peer')
  process.exit(2)
}
opts.cppPeer = resolve(opts.cppPeer)

// ------------------------------------------------------------------ processes
const children = new Set()
const groups = new Set()
const tempDirs = []

function killAll (signal = 'SIGKILL') {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try { process.kill(-c.pid, signal) } catch { try { c.kill(signal) } catch {} }
    }
  }
  for (const pgid of groups) {
    try { process.kill(-pgid, signal) } catch {}
  }
}

function cleanup () {
  killAll('SIGKILL')
  for (const d of tempDirs) {
    try { rmSync(d, { recursive: true, force: true }) } catch {}
  }
}

process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`run_praxis_interop: got ${sig}, killing children`)
    cleanup()
    process.exit(130)
  })
}

/**
 * A peer process driven by JSON lines: the first stdout line is its ready
 * line, then each command written to stdin gets exactly one line back.
 */
class Peer {
  constructor (label, cmd, args) {
    this.label = label
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    children.add(this.child)
    if (this.child.pid != null) groups.add(this.child.pid)
    this.lines = []
    this.stderr = ''
    this.waiter = null
    this.exitInfo = null
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => resolve({ code, signal }))
      this.child.on('error', (err) => { this.stderr += `\nspawn error: ${err.message}`; resolve({ code: -1, signal: null }) })
    }).then((e) => { this.exitInfo = e; children.delete(this.child); this.wake(); return e })
    this.child.stdin.on('error', () => {})
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (opts.verbose) console.error(`[${label} stdout] ${line}`)
      const t = line.trim()
      if (!t.startsWith('{')) return
      try { this.lines.push(JSON.parse(t)) } catch { return }
      this.wake()
    })
    this.child.stderr.on('data', (d) => {
      const s = d.toString()
      if (opts.verbose) process.stderr.write(s.split('\n').map((l) => l && `[${label} stderr] ${l}`).join('\n'))
      this.stderr = (this.stderr + s).slice(-4000)
    })
  }

  wake () { const w = this.waiter; this.waiter = null; w?.() }

  async nextLine (timeoutMs, what) {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (this.lines.length > 0) return this.lines.shift()
      if (this.exitInfo != null) {
        throw new Error(`${this.label} exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}) waiting for ${what}; stderr: ${this.stderr.slice(-800)}`)
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`${this.label}: timeout after ${timeoutMs} ms waiting for ${what}`)
      await new Promise((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiter = () => { clearTimeout(t); resolve() }
      })
    }
  }

  async ready () {
    const line = await this.nextLine(READY_TIMEOUT_MS, 'ready line')
    if (line.peerId == null || !Array.isArray(line.addrs) || line.addrs.length === 0) {
      throw new Error(`${this.label}: bad ready line ${JSON.stringify(line)}`)
    }
    this.peerId = line.peerId
    this.info = line
    // the C++ peer prints full addresses; the js peer may print them with /p2p too
    this.addr = line.addrs.find((a) => a.includes('/ip4/127.0.0.1/')) ?? line.addrs[0]
    if (!/\/p2p\/[^/]+$/.test(this.addr)) this.addr += `/p2p/${this.peerId}`
    return line
  }

  async request (cmd, timeoutMs = CMD_TIMEOUT_MS) {
    if (opts.verbose) console.error(`[${this.label} stdin] ${JSON.stringify(cmd)}`)
    this.child.stdin.write(JSON.stringify(cmd) + '\n')
    return this.nextLine(timeoutMs, `reply to ${cmd.cmd}`)
  }

  async stop () {
    try { this.child.stdin.end() } catch {}
    const t = new Promise((resolve) => setTimeout(() => resolve('timeout'), 5_000))
    if ((await Promise.race([this.exited, t])) === 'timeout') {
      try { process.kill(-this.child.pid, 'SIGKILL') } catch {}
      await this.exited
    }
  }
}

async function startCpp () {
  const dir = mkdtempSync(join(tmpdir(), 'agentp2p-praxis-interop-'))
  tempDirs.push(dir)
  const p = new Peer('cpp', opts.cppPeer, ['--data-dir', dir, '--name', CPP_NAME])
  await p.ready()
  return p
}

async function startJs (extra = []) {
  const p = new Peer(extra.includes('--spoof-card') ? 'js-spoof' : 'js', join(HERE, 'node22'), [JS_PEER, '--name', JS_NAME, ...extra])
  await p.ready()
  return p
}

// ------------------------------------------------------------------ checks
class Checks {
  constructor () { this.list = [] }
  add (name, ok, detail) {
    this.list.push({ name, ok: !!ok, detail })
    if (opts.verbose || !ok) console.error(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${!ok && detail !== undefined ? ': ' + short(detail) : ''}`)
    return ok
  }
  get ok () { return this.list.length > 0 && this.list.every((c) => c.ok) }
  failures () { return this.list.filter((c) => !c.ok).map((c) => c.name) }
}

function short (v) {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return s != null && s.length > 300 ? s.slice(0, 300) + '…' : s
}

// (a) js -> cpp: the js agent dials our node, exchanges cards, calls echo, sends A2A.
async function scenarioJsToCpp (c) {
  const cpp = await startCpp()
  const js = await startJs()
  try {
    const r = await js.request({ cmd: 'client', addr: cpp.addr, cppName: CPP_NAME })
    for (const k of r.checks ?? []) c.add(`js: ${k.name}`, k.ok, k.detail)
    c.add('js client run', r.ok, r.error)
    // Our node stored the js card it received (inbound exchange or its own fetch after identify).
    const wc = await cpp.request({ cmd: 'wait_card', peer: js.peerId, timeoutMs: 10_000 })
    c.add('cpp registry has the js card', wc.ok && wc.card?.peerId === js.peerId && wc.card?.name === JS_NAME, wc)
    // (Whether our node also opens its own card exchange to js here depends on
    // which exchange finishes first: once it holds the js card it need not
    // fetch again. js's client checks above validated our card; scenario (b)
    // checks that js's /praxis/card handler receives it.)
  } finally {
    await Promise.all([js.stop(), cpp.stop()])
  }
}

// (b) cpp -> js: our node connects to the js agent, reads its card, calls js_reverse, sends A2A.
async function scenarioCppToJs (c) {
  const cpp = await startCpp()
  const js = await startJs()
  try {
    const conn = await cpp.request({ cmd: 'connect', addr: js.addr })
    c.add('cpp connects to js', conn.ok && conn.peer === js.peerId, conn)
    const wc = await cpp.request({ cmd: 'wait_card', peer: js.peerId, timeoutMs: 15_000 })
    c.add('cpp has the js card', wc.ok, wc)
    const card = wc.card ?? {}
    c.add('js card peerId', card.peerId === js.peerId, card.peerId)
    c.add('js card name', card.name === JS_NAME, card.name)
    const spec = (card.tools ?? []).find((t) => t.name === 'js_reverse')
    c.add('js card lists js_reverse', spec != null, card.tools)
    const p = spec?.parameters?.find((x) => x.name === 'text')
    c.add('js_reverse parameter text: string, required', p?.type === 'string' && p?.required === true, spec)

    const text = 'agentp2p → praxis'
    const reversed = [...text].reverse().join('')
    const call = await cpp.request({ cmd: 'call', peer: js.peerId, tool: 'js_reverse', arguments: { text } })
    c.add('cpp calls js_reverse', call.ok && call.result?.text === reversed, call)
    const unknown = await cpp.request({ cmd: 'call', peer: js.peerId, tool: 'no_such_tool', arguments: {} })
    c.add('cpp call of an unknown js tool fails', unknown.ok === false, unknown)
    const seen = await js.request({ cmd: 'observed' })
    const tc = (seen.toolCalls ?? []).find((t) => t.name === 'js_reverse')
    c.add('js saw a well-formed tool request', tc != null && typeof tc.id === 'string' && tc.id.length > 0 &&
      Number.isInteger(tc.timestamp) && tc.peer === cpp.peerId && tc.arguments?.text === text, tc)
    c.add('js received the cpp card with its real peer id', seen.cards?.[cpp.peerId]?.peerIdMatches === true, seen.cards)

    const a2a = await cpp.request({ cmd: 'a2a_send', peer: js.peerId, data: { tool: 'js_reverse', arguments: { text } } })
    c.add('cpp a2a_send to js answered', a2a.ok, a2a)
    const task = a2a.task ?? {}
    c.add('a2a task completed', task.status?.state === 'completed', task.status)
    const data = (task.artifacts ?? []).flatMap((a) => a.parts ?? []).map((pt) => pt.data).filter((d) => d != null)
    c.add('a2a artifact holds the reversed text', data.some((d) => d.text === reversed), task.artifacts)
    const seen2 = await js.request({ cmd: 'observed' })
    c.add('js saw message/send', (seen2.a2aCalls ?? []).some((x) => x.method === 'message/send' && x.peer === cpp.peerId), seen2.a2aCalls)
  } finally {
    await Promise.all([js.stop(), cpp.stop()])
  }
}

// (c) a js agent whose card names another key's peer id: our node rejects it.
async function scenarioSpoofedCard (c) {
  const cpp = await startCpp()
  const js = await startJs(['--spoof-card'])
  try {
    c.add('spoofing js peer uses a foreign peer id', js.info.spoofedPeerId != null && js.info.spoofedPeerId !== js.peerId, js.info)
    const conn = await cpp.request({ cmd: 'connect', addr: js.addr })
    c.add('cpp connects to the spoofing js peer', conn.ok && conn.peer === js.peerId, conn)
    // Outbound exchange (our fetch after identify) gets the spoofed card.
    const wc = await cpp.request({ cmd: 'wait_card', peer: js.peerId, timeoutMs: 4_000 })
    c.add('cpp registry holds no card for the spoofer', wc.ok === false, wc)
    // Inbound exchange: the spoofer dials our card protocol itself (its client run sends the spoofed card).
    const r = await js.request({ cmd: 'client', addr: cpp.addr, cppName: CPP_NAME })
    c.add('spoofer still reads our (valid) card', (r.checks ?? []).find((k) => k.name.startsWith('card.peerId'))?.ok === true, r.checks)
    const stats = await cpp.request({ cmd: 'stats' })
    c.add('cpp counted spoofed cards (outbound + inbound)', stats.ok && stats.spoofedCards >= 2, stats)
    const entry = (stats.peers ?? []).find((p) => p.peer === js.peerId)
    c.add('cpp registry still has no card for the spoofer', entry != null && entry.hasCard === false, entry)
    const none = (stats.peers ?? []).find((p) => p.peer === js.info.spoofedPeerId)
    c.add('the spoofed peer id was not registered', none == null, stats.peers)
  } finally {
    await Promise.all([js.stop(), cpp.stop()])
  }
}

// ------------------------------------------------------------------ main
const SCENARIOS = [
  ['js -> cpp: card, echo tool, A2A node_info', scenarioJsToCpp],
  ['cpp -> js: card, js_reverse tool, A2A js_reverse', scenarioCppToJs],
  ['spoofed card from js is rejected', scenarioSpoofedCard]
]

async function main () {
  const startedAt = Date.now()
  const results = []
  for (const [name, fn] of SCENARIOS) {
    const left = GLOBAL_DEADLINE_MS - (Date.now() - startedAt)
    const c = new Checks()
    const t0 = Date.now()
    console.error(`== ${name}`)
    let error = null
    if (left <= 0) {
      error = 'skipped: global deadline reached'
    } else {
      let timer
      try {
        await Promise.race([
          fn(c),
          new Promise((_resolve, reject) => {
            timer = setTimeout(() => reject(new Error(`scenario timeout after ${Math.min(SCENARIO_TIMEOUT_MS, left)} ms`)),
              Math.min(SCENARIO_TIMEOUT_MS, left))
          })
        ])
      } catch (err) {
        error = err?.message ?? String(err)
        console.error(`  ERROR ${error}`)
      } finally {
        clearTimeout(timer)
        killAll('SIGKILL') // nothing of a scenario outlives it
      }
    }
    const pass = error == null && c.ok
    results.push({ name, pass, checks: c.list.length, failed: c.failures(), error, ms: Date.now() - t0 })
  }

  console.log('')
  console.log('| scenario | result | checks | time | details |')
  console.log('|---|---|---|---|---|')
  for (const r of results) {
    const details = r.error ?? (r.failed.length > 0 ? 'failed: ' + r.failed.join('; ') : '')
    console.log(`| ${r.name} | ${r.pass ? 'PASS' : 'FAIL'} | ${r.checks - r.failed.length}/${r.checks} | ${(r.ms / 1000).toFixed(1)} s | ${details} |`)
  }
  const allPass = results.every((r) => r.pass)
  console.log(allPass ? '\nall praxis interop scenarios passed' : '\nSOME PRAXIS INTEROP SCENARIOS FAILED')
  return allPass ? 0 : 1
}

main().then((code) => {
  cleanup()
  process.exit(code)
}, (err) => {
  console.error(`run_praxis_interop: ${err?.stack ?? err}`)
  cleanup()
  process.exit(1)
})
