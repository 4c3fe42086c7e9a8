#!/usr/bin/env -S node
// A praxis agent written with js-libp2p 3.x from the praxis wire format alone
// (praxis-go-sdk internal/p2p/protocol.go field names), used by
// run_praxis_interop.mjs against agentp2p's C++ node (agentp2p_praxis_peer).
//
//   praxis_js_peer.mjs [--name NAME] [--spoof-card]
//
// Serves (every message one compact JSON value + "\n", a new stream per call):
//   /praxis/card/1.0.0  writes its AgentCard (tool js_reverse {text}), reads the peer's
//   /praxis/tool/1.0.0  {id,name,arguments,timestamp} -> {id,result,error?}; js_reverse reverses text
//   /praxis/a2a/1.0.0   JSON-RPC 2.0 message/send -> completed A2A 0.3 Task whose
//                       artifact holds {text: reversed} for a data part {tool:"js_reverse",arguments:{text}}
// With --spoof-card its card carries the peer id of another key (must be rejected).
//
// stdout: a ready line {peerId, addrs, spoofedPeerId?}, then one JSON line per
// stdin command:
//   {"cmd":"client","addr":MA,"cppName":N}  dial MA; exchange cards, call echo, A2A node_info; validate
//   {"cmd":"observed"}                      what the server side saw (cards, tool and A2A calls)
//   {"cmd":"quit"}
// Exits when stdin closes. Diagnostics go to stderr.
import { createInterface } from 'node:readline'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { chunksOf, errMessage, makeKey, makeNode, withTimeout } from './common.mjs'

export const CARD_PROTOCOL = '/praxis/card/1.0.0'
export const TOOL_PROTOCOL = '/praxis/tool/1.0.0'
export const A2A_PROTOCOL = '/praxis/a2a/1.0.0'
const IO_TIMEOUT_MS = 15_000
const MAX_LINE = 4 * 1024 * 1024

function log (...args) {
  process.stderr.write(`[praxis_js_peer ${process.pid}] ${args.join(' ')}\n`)
}

function emit (obj) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(obj) + '\n', () => resolve()))
}

function parseArgs (argv) {
  const o = { name: 'js-praxis-agent', spoof: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--spoof-card') o.spoof = true
    else if (a === '--name') o.name = argv[++i]
    else throw new Error(`unknown argument ${a}`)
  }
  return o
}

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Newline-delimited JSON over a libp2p 3.x message stream. */
class LineStream {
  constructor (stream) {
    this.stream = stream
    this.buf = new Uint8Array(0)
    this.ended = false
    this.error = null
    this.waiter = null
    this.onMessage = (evt) => {
      for (const c of chunksOf(evt.data)) {
        const next = new Uint8Array(this.buf.byteLength + c.byteLength)
        next.set(this.buf, 0)
        next.set(c, this.buf.byteLength)
        this.buf = next
      }
      this.wake()
    }
    this.onEnd = () => { this.ended = true; this.wake() }
    this.onClose = (evt) => { this.ended = true; if (evt.error != null) this.error = evt.error; this.wake() }
    stream.addEventListener('message', this.onMessage)
    stream.addEventListener('end', this.onEnd)
    stream.addEventListener('close', this.onClose)
    if (stream.readableEnded) this.ended = true
  }

  wake () { const w = this.waiter; this.waiter = null; w?.() }

  /** The next line parsed as JSON; null at a clean end of stream before any byte. */
  async readJson (timeoutMs = IO_TIMEOUT_MS, what = 'line') {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const nl = this.buf.indexOf(10)
      if (nl !== -1) {
        const line = dec.decode(this.buf.subarray(0, nl))
        this.buf = this.buf.subarray(nl + 1)
        return JSON.parse(line)
      }
      if (this.buf.byteLength > MAX_LINE) throw new Error(`${what}: line over ${MAX_LINE} bytes`)
      if (this.error != null) throw this.error
      if (this.ended) {
        if (this.buf.byteLength === 0) return null
        throw new Error(`${what}: stream ended inside a line`)
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timeout after ${timeoutMs} ms: ${what}`)
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiter = () => { clearTimeout(timer); resolve() }
      })
    }
  }

  async writeJson (value) {
    if (!this.stream.send(enc.encode(JSON.stringify(value) + '\n'))) {
      await this.stream.onDrain({ signal: AbortSignal.timeout(IO_TIMEOUT_MS) })
    }
  }

  async close () {
    this.stream.removeEventListener('message', this.onMessage)
    this.stream.removeEventListener('end', this.onEnd)
    this.stream.removeEventListener('close', this.onClose)
    try {
      await this.stream.close({ signal: AbortSignal.timeout(5_000) })
    } catch (err) {
      this.stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }
}

const reverse = (s) => [...s].reverse().join('')

const JS_TOOLS = [{
  name: 'js_reverse',
  description: 'Reverses a string',
  parameters: [{ name: 'text', type: 'string', description: 'the text to reverse', required: true }]
}]

/** Runs a js tool; {result} or {error:{code,message}} as /praxis/tool/1.0.0 carries them. */
function runTool (name, args) {
  if (name !== 'js_reverse') return { error: { code: -32601, message: `unknown tool "${name}"` } }
  if (args == null || typeof args.text !== 'string') {
    return { error: { code: -32602, message: 'arguments.text: expected string' } }
  }
  return { result: { text: reverse(args.text) } }
}

async function main () {
  const opts = parseArgs(process.argv.slice(2))
  const node = await makeNode({ listen: ['/ip4/127.0.0.1/tcp/0'] })
  let cardPeerId = null // filled after start (our id, or another key's with --spoof-card)
  let spoofedPeerId = null
  if (opts.spoof) spoofedPeerId = peerIdFromPrivateKey(await makeKey('ed25519')).toString()

  const ourCard = () => ({
    name: opts.name,
    version: '1.0.0',
    peerId: cardPeerId,
    capabilities: ['p2p', 'tools', 'a2a'],
    tools: JS_TOOLS,
    timestamp: Math.floor(Date.now() / 1000)
  })

  // What the server side saw, for the driver.
  const observed = { cards: {}, cardErrors: [], toolCalls: [], a2aCalls: [] }

  // /praxis/card/1.0.0: write ours at once, then read theirs.
  await node.handle(CARD_PROTOCOL, async (stream, connection) => {
    const ls = new LineStream(stream)
    const remote = connection.remotePeer.toString()
    try {
      await ls.writeJson(ourCard())
      const card = await ls.readJson(IO_TIMEOUT_MS, 'peer card')
      if (card == null) throw new Error('no card before end of stream')
      observed.cards[remote] = { card, peerIdMatches: card.peerId === remote }
    } catch (err) {
      observed.cardErrors.push({ peer: remote, error: errMessage(err) })
      log('card stream:', errMessage(err))
    }
    await ls.close()
  })

  // /praxis/tool/1.0.0: one request, one reply.
  await node.handle(TOOL_PROTOCOL, async (stream, connection) => {
    const ls = new LineStream(stream)
    try {
      const req = await ls.readJson(IO_TIMEOUT_MS, 'tool request')
      if (req == null) throw new Error('no tool request')
      const r = runTool(req.name, req.arguments)
      observed.toolCalls.push({ peer: connection.remotePeer.toString(), id: req.id, name: req.name, arguments: req.arguments, timestamp: req.timestamp, error: r.error ?? null })
      const reply = { id: req.id, result: r.result ?? null }
      if (r.error != null) reply.error = r.error
      await ls.writeJson(reply)
    } catch (err) {
      log('tool stream:', errMessage(err))
    }
    await ls.close()
  })

  // /praxis/a2a/1.0.0: JSON-RPC 2.0 requests answered in order until end of stream.
  let taskSeq = 0
  await node.handle(A2A_PROTOCOL, async (stream, connection) => {
    const ls = new LineStream(stream)
    try {
      for (;;) {
        const req = await ls.readJson(120_000, 'a2a request')
        if (req == null) break
        observed.a2aCalls.push({ peer: connection.remotePeer.toString(), method: req.method, id: req.id })
        await ls.writeJson(answerA2A(req, ++taskSeq))
      }
    } catch (err) {
      log('a2a stream:', errMessage(err))
    }
    await ls.close()
  })

  await node.start()
  cardPeerId = spoofedPeerId ?? node.peerId.toString()
  const ready = { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map((a) => a.toString()) }
  if (spoofedPeerId != null) ready.spoofedPeerId = spoofedPeerId
  await emit(ready)

  let stopping = false
  const shutdown = async (why) => {
    if (stopping) return
    stopping = true
    log('shutting down:', why)
    try { await withTimeout(node.stop(), 5_000, 'libp2p stop') } catch (err) { log('stop:', errMessage(err)) }
    process.exit(0)
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))

  const rl = createInterface({ input: process.stdin })
  // Commands run one at a time, in order.
  let chain = Promise.resolve()
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      if (line.trim() === '') return
      let cmd
      try { cmd = JSON.parse(line) } catch { await emit({ ok: false, error: `not JSON: ${line}` }); return }
      if (cmd.cmd === 'quit') { await emit({ ok: true, cmd: 'quit' }); await shutdown('quit'); return }
      let out
      try {
        if (cmd.cmd === 'client') out = await runClient(node, ourCard, cmd)
        else if (cmd.cmd === 'observed') out = { ok: true, ...observed }
        else out = { ok: false, error: `unknown cmd "${cmd.cmd}"` }
      } catch (err) {
        out = { ok: false, error: errMessage(err) }
      }
      await emit({ cmd: cmd.cmd, ...out })
    })
  })
  rl.on('close', () => { chain.then(() => shutdown('stdin closed')) })
}

/** A JSON-RPC 2.0 reply to one A2A request (A2A 0.3 shapes). */
function answerA2A (req, seq) {
  const id = req?.id ?? null
  const fail = (code, message) => ({ jsonrpc: '2.0', id, error: { code, message } })
  if (req?.jsonrpc !== '2.0' || typeof req.method !== 'string') return fail(-32600, 'invalid request')
  if (req.method !== 'message/send') return fail(-32601, `method not found: ${req.method}`)
  const msg = req.params?.message
  if (msg == null || typeof msg.messageId !== 'string' || !Array.isArray(msg.parts)) {
    return fail(-32602, 'params.message: expected a message with messageId and parts')
  }
  // 0.3 data part {kind:"data", data:{...}}; tolerate the 1.0 shape {data:{data:{...}}} too.
  const dataPart = msg.parts.find((p) => p?.kind === 'data') ?? msg.parts.find((p) => p?.data?.data != null)
  const data = dataPart == null ? null : (dataPart.kind === 'data' ? dataPart.data : dataPart.data.data)
  const taskId = `js-task-${seq}`
  const contextId = msg.contextId ?? `js-ctx-${seq}`
  const now = new Date().toISOString()
  const history = [{ ...msg, kind: 'message', taskId, contextId }]
  if (data == null || data.tool == null) {
    return {
      jsonrpc: '2.0',
      id,
      result: {
        kind: 'task', id: taskId, contextId, history, artifacts: [],
        status: { state: 'rejected', timestamp: now, message: { kind: 'message', messageId: `js-m-${seq}`, role: 'agent', parts: [{ kind: 'text', text: 'expected a data part {tool, arguments}' }] } }
      }
    }
  }
  const r = runTool(data.tool, data.arguments ?? {})
  if (r.error != null) {
    return {
      jsonrpc: '2.0',
      id,
      result: {
        kind: 'task', id: taskId, contextId, history, artifacts: [],
        status: { state: 'failed', timestamp: now, message: { kind: 'message', messageId: `js-m-${seq}`, role: 'agent', parts: [{ kind: 'text', text: r.error.message }] } }
      }
    }
  }
  return {
    jsonrpc: '2.0',
    id,
    result: {
      kind: 'task',
      id: taskId,
      contextId,
      status: { state: 'completed', timestamp: now },
      history,
      artifacts: [{ artifactId: `js-artifact-${seq}`, name: 'result', parts: [{ kind: 'data', data: r.result }] }]
    }
  }
}

/** One request/reply on a new stream of `protocol`. */
async function roundTrip (conn, protocol, request, what) {
  const stream = await conn.newStream(protocol, { signal: AbortSignal.timeout(IO_TIMEOUT_MS) })
  const ls = new LineStream(stream)
  try {
    await ls.writeJson(request)
    const reply = await ls.readJson(IO_TIMEOUT_MS, what)
    if (reply == null) throw new Error(`${what}: stream ended without a reply`)
    return reply
  } finally {
    await ls.close()
  }
}

/** The client side against a praxis agent at cmd.addr; every check is listed. */
async function runClient (node, ourCard, cmd) {
  const checks = []
  const check = (name, ok, detail) => { checks.push({ name, ok: !!ok, ...(detail !== undefined ? { detail } : {}) }); return ok }
  const out = { ok: false, checks }
  try {
    const conn = await withTimeout(node.dial(multiaddr(cmd.addr), { signal: AbortSignal.timeout(IO_TIMEOUT_MS) }),
      IO_TIMEOUT_MS + 1_000, `dial ${cmd.addr}`)
    const remote = conn.remotePeer.toString()
    out.remotePeer = remote

    // Card exchange: we write ours first, then read theirs (as praxis-go's RequestCard).
    const card = await roundTrip(conn, CARD_PROTOCOL, ourCard(), 'card')
    out.card = card
    check('card.peerId is the connection\'s remote peer', card.peerId === remote, card.peerId)
    if (cmd.cppName != null) check('card.name', card.name === cmd.cppName, card.name)
    check('card has version/capabilities/tools/timestamp',
      typeof card.version === 'string' && Array.isArray(card.capabilities) && Array.isArray(card.tools) && Number.isInteger(card.timestamp))
    const toolNames = (card.tools ?? []).map((t) => t.name)
    for (const want of ['echo', 'node_info', 'list_peers']) check(`card lists tool ${want}`, toolNames.includes(want), toolNames)
    const echoSpec = (card.tools ?? []).find((t) => t.name === 'echo')
    const textParam = echoSpec?.parameters?.find((p) => p.name === 'text')
    check('echo parameter text: string, required',
      textParam != null && textParam.type === 'string' && textParam.required === true && typeof textParam.description === 'string', textParam)

    // Tool call: echo.
    const text = 'hello from js-libp2p ✓'
    const reqId = `js-${Date.now()}`
    const echoReply = await roundTrip(conn, TOOL_PROTOCOL,
      { id: reqId, name: 'echo', arguments: { text }, timestamp: Math.floor(Date.now() / 1000) }, 'echo reply')
    out.echoReply = echoReply
    check('echo reply id matches', echoReply.id === reqId, echoReply.id)
    check('echo reply has no error', echoReply.error == null, echoReply.error)
    check('echo result text', echoReply.result?.text === text, echoReply.result)

    // Tool call errors: unknown tool, bad arguments.
    const unknown = await roundTrip(conn, TOOL_PROTOCOL,
      { id: 'js-unknown', name: 'no_such_tool', arguments: {}, timestamp: Math.floor(Date.now() / 1000) }, 'unknown tool reply')
    check('unknown tool -> error -32601', unknown.id === 'js-unknown' && unknown.error?.code === -32601, unknown)
    const bad = await roundTrip(conn, TOOL_PROTOCOL,
      { id: 'js-bad', name: 'echo', arguments: { text: 42 }, timestamp: Math.floor(Date.now() / 1000) }, 'bad arguments reply')
    check('echo with text:42 -> error -32602', bad.error?.code === -32602, bad)

    // A2A: message/send running node_info on the C++ node.
    const a2aReply = await roundTrip(conn, A2A_PROTOCOL, {
      jsonrpc: '2.0',
      id: 1,
      method: 'message/send',
      params: { message: { kind: 'message', messageId: `js-m-${Date.now()}`, role: 'user', parts: [{ kind: 'data', data: { tool: 'node_info', arguments: {} } }] } }
    }, 'a2a reply')
    out.a2aReply = a2aReply
    const task = a2aReply.result
    check('a2a reply is JSON-RPC 2.0 with id 1', a2aReply.jsonrpc === '2.0' && a2aReply.id === 1 && a2aReply.error == null, a2aReply.error)
    check('a2a result is a task', task?.kind === 'task' && typeof task.id === 'string', task?.kind)
    check('a2a task completed', task?.status?.state === 'completed', task?.status)
    const artifactData = (task?.artifacts ?? []).flatMap((a) => a.parts ?? []).filter((p) => p.kind === 'data').map((p) => p.data)
    const info = artifactData.find((d) => d != null && typeof d === 'object')
    check('a2a artifact holds node_info data', info != null, artifactData)
    if (cmd.cppName != null) {
      // node_info's result (possibly wrapped) names the node.
      check('node_info names the C++ node', JSON.stringify(artifactData).includes(JSON.stringify(cmd.cppName)), artifactData)
    }
    check('node_info names its peer id', JSON.stringify(artifactData).includes(remote))
  } catch (err) {
    check('client run', false, errMessage(err))
    out.error = errMessage(err)
  }
  out.ok = checks.every((c) => c.ok)
  if (!out.ok && out.error == null) out.error = 'failed: ' + checks.filter((c) => !c.ok).map((c) => c.name).join('; ')
  return out
}

main().catch(async (err) => {
  await emit({ ok: false, error: errMessage(err) })
  process.exit(1)
})
