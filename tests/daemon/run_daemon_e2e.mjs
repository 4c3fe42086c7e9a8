// End to end: two `agentp2p run` processes on loopback (port 0, temporary
// data directories), driven by the CLI client commands and the HTTP API:
// connect, peers, card, tools, a remote tool call, an A2A task, the SSE
// event stream seeing the call, /metrics counting it, exit codes, and a
// graceful SIGTERM that removes api.json.
//
//   node22 run_daemon_e2e.mjs --bin build/release/apps/agentp2p
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'

const bin = process.argv[process.argv.indexOf('--bin') + 1]
if (!bin || !existsSync(bin)) throw new Error('usage: run_daemon_e2e.mjs --bin PATH/TO/agentp2p')

const children = []
const dirs = []
function cleanup () {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}
process.on('exit', cleanup)
const overall = setTimeout(() => { console.error('e2e: overall time limit (50 s) reached'); cleanup(); process.exit(1) }, 50_000)

function tempDir (tag) {
  const d = mkdtempSync(join(tmpdir(), `agentp2p-e2e-${tag}-`))
  dirs.push(d)
  return d
}

const env = { ...process.env, AGENTP2P_LOG_LEVEL: 'warn' }
delete env.AGENTP2P_API
delete env.AGENTP2P_API_TOKEN
delete env.AGENTP2P_CONFIG

// Starts a node; resolves with its ready line.
function startNode (name, dataDir, extraEnv = {}, extraArgs = []) {
  const child = spawn(bin, ['run', ...extraArgs, '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0',
    '--no-mdns', '--no-dht', '--name', name], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`${name}: no ready line within 20 s`)), 20_000)
    child.stdout.on('data', (chunk) => {
      out += chunk
      const nl = out.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve({ child, ready: JSON.parse(out.slice(0, nl)), dataDir })
      }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited early (${code})`)) })
  })
}

// Runs a CLI client command against the node whose data dir is given.
function cli (dataDir, ...args) {
  return cliEnv({}, dataDir, ...args)
}
function cliEnv (extraEnv, dataDir, ...args) {
  const r = spawnSync(bin, [...args, '--data-dir', dataDir], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 30_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}
function cliJson (dataDir, ...args) {
  const r = cli(dataDir, ...args, '--json')
  assert.equal(r.code, 0, `agentp2p ${args.join(' ')} failed (${r.code}): ${r.err}`)
  return JSON.parse(r.out)
}

async function until (what, fn, ms = 10_000) {
  const end = Date.now() + ms
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// Collects Server-Sent Events from url into `events` until aborted.
function followEvents (url, events, signal) {
  return fetch(url, { signal, headers: { Accept: 'text/event-stream' } }).then(async (res) => {
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type'), /text\/event-stream/)
    const decoder = new TextDecoder()
    let buf = ''
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true })
      let sep
      while ((sep = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, sep)
        buf = buf.slice(sep + 2)
        const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n')
        const type = (block.split('\n').find((l) => l.startsWith('event:')) || 'event: message').slice(6).trim()
        if (data) events.push({ type, ...JSON.parse(data) })
      }
    }
  }).catch((e) => { if (e.name !== 'AbortError') throw e })
}

// Bob offers the tools of @modelcontextprotocol/server-filesystem (an
// external MCP server over stdio) to every peer.
const interop = join(dirname(fileURLToPath(import.meta.url)), '..', 'interop')
const shared = tempDir('shared')
writeFileSync(join(shared, 'note.txt'), 'shared by bob\n')
const bobConfig = join(tempDir('cfg'), 'bob.yaml')
writeFileSync(bobConfig, [
  'mcp_servers:',
  '  - name: files',
  `    command: ${JSON.stringify(join(interop, 'node22'))}`,
  `    args: [${JSON.stringify(join(interop, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'))}, ${JSON.stringify(shared)}]`,
  '    expose: all',
  ''
].join('\n'))
const a = await startNode('alice', tempDir('a'))
const b = await startNode('bob', tempDir('b'), {}, ['--config', bobConfig])
for (const n of [a, b]) {
  assert.match(n.ready.peerId, /^12D3KooW/)
  assert.ok(n.ready.listenAddrs.length > 0)
  assert.match(n.ready.apiUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(n.ready.mcpUrl, n.ready.apiUrl + '/mcp')
  const apiFile = JSON.parse(readFileSync(join(n.dataDir, 'api.json'), 'utf8'))
  assert.equal(apiFile.url, n.ready.apiUrl)
}
console.log('ready:', a.ready.peerId, b.ready.peerId)

const events = []
const stop = new AbortController()
const following = followEvents(`${b.ready.apiUrl}/api/v1/events`, events, stop.signal)

// id, connect, peers, card, tools
assert.equal(cliJson(a.dataDir, 'id').peerId, a.ready.peerId)
const bobAddr = b.ready.listenAddrs.find((x) => x.startsWith('/ip4/127.0.0.1/'))
assert.equal(cliJson(a.dataDir, 'connect', bobAddr).peerId, b.ready.peerId)
await until('bob\'s card at alice', () => cliJson(a.dataDir, 'peers').peers.some((p) => p.peerId === b.ready.peerId && p.name === 'bob'))
assert.equal(cliJson(a.dataDir, 'card', b.ready.peerId).card.name, 'bob')
const human = cli(a.dataDir, 'peers')
assert.equal(human.code, 0)
assert.match(human.out, /bob/)
const tools = cliJson(a.dataDir, 'tools')
assert.ok(tools.local.some((t) => t.name === 'node_info'))
assert.ok(tools.remote.some((t) => t.peerId === b.ready.peerId && t.name === 'node_info'))

// a remote tool call, seen by bob's event stream and metrics
const called = cliJson(a.dataDir, 'call', b.ready.peerId, 'node_info', '{}')
assert.equal(called.result.name, 'bob')
await until('tool.called event at bob', () => events.some((e) => e.type === 'tool.called' && e.data.tool === 'node_info' && e.data.caller === a.ready.peerId))
assert.ok(events.some((e) => e.type === 'peer.connected' || e.type === 'connection.opened'), 'peer events on the stream')
const metrics = await (await fetch(`${b.ready.apiUrl}/metrics`)).text()
assert.match(metrics, /agentp2p_tool_calls_total\{tool="node_info",caller="remote",outcome="ok"\} 1/)
assert.match(metrics, /agentp2p_peers_connected 1/)
assert.match(metrics, /agentp2p_tool_call_duration_seconds_bucket/)
const openapi = await (await fetch(`${a.ready.apiUrl}/api/v1/openapi.json`)).json()
assert.equal(openapi.openapi, '3.1.0')

// the external MCP server's tool, called on bob from alice
await until('bob\'s files.* tools on his card', () => cliJson(a.dataDir, 'tools').remote.some((t) => t.peerId === b.ready.peerId && t.name === 'files.read_text_file'))
const file = cliJson(a.dataDir, 'call', b.ready.peerId, 'files.read_text_file', JSON.stringify({ path: join(shared, 'note.txt') }))
assert.match(JSON.stringify(file.result), /shared by bob/)

// find-agents, ping
assert.ok(cliJson(a.dataDir, 'find-agents', 'list_peers').agents.some((x) => x.peerId === b.ready.peerId))
assert.equal(cliJson(a.dataDir, 'ping', b.ready.peerId, '-n', '2').rttMs.length, 2)

// an A2A task on bob that runs one of bob's tools
const task = cliJson(a.dataDir, 'a2a', 'send', '--peer', b.ready.peerId, '--data', '{"tool":"node_info","arguments":{}}')
assert.ok(task.id)
const done = await until('the A2A task to finish', () => {
  const t = cliJson(a.dataDir, 'a2a', 'get', task.id, '--peer', b.ready.peerId)
  return ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_REJECTED'].includes(t.status.state) ? t : null
})
console.log('a2a task', task.id, done.status.state)

// exit codes
assert.equal(cli(a.dataDir, 'call', b.ready.peerId, 'node_info', 'not json').code, 2, 'usage error')
assert.equal(cli(a.dataDir, 'card', '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK').code, 4, 'unknown peer')
assert.equal(cli(a.dataDir, 'peers', '--api', 'http://127.0.0.1:1').code, 3, 'no node there')
const failed = cli(a.dataDir, 'call', b.ready.peerId, 'no_such_tool', '{}')
assert.notEqual(failed.code, 0)
assert.match(failed.err, /no_such_tool/)

// MCP on /mcp: initialize, then tools/list lists the node's tools
const mcpHeaders = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }
const init = await fetch(a.ready.mcpUrl, {
  method: 'POST',
  headers: mcpHeaders,
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } })
})
assert.equal(init.status, 200)
const session = init.headers.get('mcp-session-id')
assert.ok(session, 'Mcp-Session-Id')
await init.text()
await fetch(a.ready.mcpUrl, { method: 'POST', headers: { ...mcpHeaders, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })
const listed = await fetch(a.ready.mcpUrl, { method: 'POST', headers: { ...mcpHeaders, 'Mcp-Session-Id': session, 'MCP-Protocol-Version': '2025-06-18' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) })
assert.match(await listed.text(), /node_info/)
// /metrics counts MCP and A2A requests over HTTP
await (await fetch(`${a.ready.apiUrl}/.well-known/agent-card.json`)).text()
const counted = await (await fetch(`${a.ready.apiUrl}/metrics`)).text()
assert.match(counted, /agentp2p_http_requests_total\{area="mcp",status="200"\} [1-9]/)
assert.match(counted, /agentp2p_http_requests_total\{area="a2a",status="200"\} 1/)

// `agentp2p mcp`: MCP over stdin/stdout from a node of its own
{
  const child = spawn(bin, ['mcp', '--data-dir', tempDir('mcp'), '--listen', '/ip4/127.0.0.1/tcp/0', '--name', 'stdio-agent'],
    { env: { ...env, AGENTP2P_MDNS: 'false', AGENTP2P_DHT: 'false' }, stdio: ['pipe', 'pipe', 'inherit'] })
  children.push(child)
  const replies = []
  let buf = ''
  child.stdout.on('data', (chunk) => {
    buf += chunk
    let nl
    while ((nl = buf.indexOf('\n')) >= 0) { replies.push(JSON.parse(buf.slice(0, nl))); buf = buf.slice(nl + 1) }
  })
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } }) + '\n')
  await until('the stdio initialize reply', () => replies.some((r) => r.id === 1))
  assert.equal(replies.find((r) => r.id === 1).result.serverInfo.name, 'stdio-agent')
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n')
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'node_info', arguments: {} } }) + '\n')
  const call = await until('the stdio tools/call reply', () => replies.find((r) => r.id === 2))
  assert.match(JSON.stringify(call.result), /stdio-agent/)
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  child.stdin.end()  // the client goes away: the node stops
  assert.equal(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000))]), 0)
}

// a node with an API token: requests without it are refused; the CLI finds
// it in api.json; a wrong one is exit code 5
const c = await startNode('carol', tempDir('c'), { AGENTP2P_API_TOKEN: 's3cret' })
const refused = await fetch(`${c.ready.apiUrl}/api/v1/node`)
assert.equal(refused.status, 401)
const allowed = await fetch(`${c.ready.apiUrl}/api/v1/node`, { headers: { Authorization: 'Bearer s3cret' } })
assert.equal(allowed.status, 200)
assert.equal(cliJson(c.dataDir, 'id').name, 'carol')
assert.equal(cliEnv({ AGENTP2P_API_TOKEN: 'wrong' }, c.dataDir, 'id').code, 5)

// graceful shutdown
stop.abort()
await following
for (const n of [a, b, c]) {
  const exited = new Promise((resolve) => n.child.on('exit', (code, sig) => resolve({ code, sig })))
  n.child.kill('SIGTERM')
  const r = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(null), 20_000))])
  assert.ok(r, 'node stops within 20 s of SIGTERM')
  assert.equal(r.code, 0)
  assert.ok(!existsSync(join(n.dataDir, 'api.json')), 'api.json removed on exit')
  assert.ok(existsSync(join(n.dataDir, 'tasks.db')), 'tasks persisted')
}
clearTimeout(overall)
console.log('daemon e2e: ok')
