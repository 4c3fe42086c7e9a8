// agentp2p dashboard: reads the daemon's HTTP API (/api/v1/...) and follows
// its event stream. Plain browser JavaScript, no build step, no framework.
// Everything that came from the network is put in the page with
// textContent / DOM nodes, never as HTML (peer names and tool output are
// untrusted), and the page's Content-Security-Policy forbids inline script.
'use strict'

const $ = (id) => document.getElementById(id)
const TOKEN_KEY = 'agentp2p.token'
const MAX_LOG = 300
const TERMINAL = ['completed', 'failed', 'canceled', 'rejected']

const state = {
  node: null,
  peers: [],
  tools: { local: [], remote: [] },
  tasks: [],
  sent: [], // tasks this page sent to other peers: {id, peer, task}
  selected: null, // peer id shown in the card panel
  lastSeq: 0,
  toolChoices: new Map(), // <option> value -> tool
  argsEdited: false,
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor (status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

function token () { return sessionStorage.getItem(TOKEN_KEY) || '' }

function headers (extra) {
  const h = { Accept: 'application/json', ...extra }
  if (token()) h.Authorization = 'Bearer ' + token()
  return h
}

async function api (path, body) {
  const init = { cache: 'no-store', headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }) }
  if (body !== undefined) {
    init.method = 'POST'
    init.body = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(path, init)
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'the node does not answer (' + e.message + ')')
  }
  const text = await res.text()
  let json = null
  try { json = text ? JSON.parse(text) : null } catch { json = null }
  if (res.status === 401) askForToken()
  if (!res.ok) {
    const e = json && json.error
    throw new ApiError(res.status, (e && e.code) || 'http_' + res.status, (e && e.message) || text || res.statusText)
  }
  return json
}

// ---------------------------------------------------------------- helpers

function el (tag, attrs, ...children) {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'class') e.className = v
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v)
    else e.setAttribute(k, v === true ? '' : v)
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null) e.append(c instanceof Node ? c : String(c))
  return e
}

function svg (tag, attrs, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v)
  for (const c of children) e.append(c)
  return e
}

function shortId (id) { return id ? id.slice(0, 8) + '…' + id.slice(-6) : '' }

function peerName (id) {
  if (!id) return 'local'
  if (state.node && id === state.node.peerId) return state.node.name + ' (this node)'
  const p = state.peers.find((x) => x.peerId === id)
  return p && p.name ? p.name : shortId(id)
}

function stateName (s) { return String(s || '').replace(/^TASK_STATE_/, '').toLowerCase() }

function partText (p) {
  if (!p) return ''
  if (typeof p.text === 'string') return p.text
  if (p.data !== undefined) return JSON.stringify(p.data)
  if (p.url || p.raw) return '[file ' + (p.filename || p.url || '') + ']'
  return ''
}

function lastWords (task) {
  const arts = task.artifacts || []
  for (let i = arts.length - 1; i >= 0; i--) {
    const parts = arts[i].parts || []
    if (parts.length) return parts.map(partText).join(' ')
  }
  const m = task.status && task.status.message
  return m ? (m.parts || []).map(partText).join(' ') : ''
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Like sleep, but ends early when `signal` aborts.
function pause (ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
  })
}

function showNotice (text) {
  const n = $('notice')
  n.textContent = text
  n.hidden = !text
}

function askForToken () {
  showNotice('This node wants an API token (http.token in its config). Enter it above; it is kept in this tab only.')
  $('token').focus()
}

// Coalesces bursts of events into one refresh.
function debounced (fn, ms) {
  let timer = null
  return () => {
    if (timer) return
    timer = setTimeout(() => { timer = null; fn() }, ms)
  }
}

// ---------------------------------------------------------------- loading

function showNode (node) {
  state.node = node
  $('node-name').textContent = node.name
  $('node-id').textContent = node.peerId
  document.title = node.name + ' · agentp2p'
}

async function loadNode () { showNode(await api('/api/v1/node')) }

// Peers, tools and this node's own counts (connections) change together.
async function loadPeers () {
  const [node, peers, tools] = await Promise.all([api('/api/v1/node'), api('/api/v1/peers'), api('/api/v1/tools')])
  showNode(node)
  state.peers = peers.peers.slice().sort((a, b) => (a.name || '').localeCompare(b.name || '') || a.peerId.localeCompare(b.peerId))
  state.tools = tools
  renderGraph()
  renderPeers()
  renderToolChoices()
  renderTaskPeers()
  if (state.selected) renderCard()
}

async function loadTasks () {
  const r = await api('/api/v1/tasks?limit=50')
  state.tasks = r.tasks
  renderTasks()
}

async function loadAll () {
  try {
    await loadNode()
    await Promise.all([loadPeers(), loadTasks()])
    if (!state.selected) select(state.node.peerId)
    showNotice('')
  } catch (e) {
    if (e.status !== 401) showNotice('Cannot read the node: ' + e.message)
  }
}

const refreshPeers = debounced(() => loadPeers().catch(() => {}), 250)
const refreshTasks = debounced(() => loadTasks().catch(() => {}), 250)

// ---------------------------------------------------------------- graph

function renderGraph () {
  const g = $('graph')
  const nodes = []
  const edges = []
  const n = state.peers.length
  state.peers.forEach((p, i) => {
    // One peer above; more spread around, starting off the vertical (the box is wide).
    const angle = -Math.PI / 2 + (n > 1 ? Math.PI / n : 0) + (2 * Math.PI * i) / Math.max(n, 1)
    const x = Math.round(Math.cos(angle) * 220)
    const y = Math.round(Math.sin(angle) * 150)
    edges.push(svg('line', { x1: 0, y1: 0, x2: x, y2: y, class: 'edge' + (p.connected ? '' : ' down'), 'data-peer': p.peerId }))
    nodes.push(graphNode(p.peerId, p.name || shortId(p.peerId), p.connected ? 'up' : 'down', x, y, 16,
      (p.name || 'unnamed peer') + ', ' + (p.connected ? 'connected' : 'not connected')))
  })
  if (state.node) nodes.push(graphNode(state.node.peerId, state.node.name, 'self', 0, 0, 22, state.node.name + ', this node'))
  g.replaceChildren(...edges, ...nodes)
}

function graphNode (id, name, kind, x, y, r, label) {
  const node = svg('g', {
    class: 'node ' + kind + (id === state.selected ? ' selected' : ''),
    transform: `translate(${x} ${y})`,
    tabindex: 0,
    role: 'button',
    'aria-label': label,
    'data-peer': id,
  },
  svg('title', {}, id),
  svg('circle', { r }),
  svg('text', { y: r + 15 }, name.length > 24 ? name.slice(0, 23) + '…' : name),
  svg('text', { y: r + 28, class: 'sub' }, shortId(id)))
  node.addEventListener('click', () => select(id))
  node.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault()
      select(id)
    }
  })
  return node
}

// Highlights the line to a peer for a moment (a tool call went over it).
function flashEdge (peerId) {
  for (const line of $('graph').querySelectorAll('line.edge')) {
    if (line.dataset.peer !== peerId) continue
    line.classList.add('flash')
    setTimeout(() => line.classList.remove('flash'), 1500)
  }
}

// ---------------------------------------------------------------- peers and cards

function renderPeers () {
  const rows = state.peers.map((p) => el('tr', { class: p.peerId === state.selected ? 'selected' : '', 'data-peer': p.peerId },
    el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => select(p.peerId) }, p.name || '(no card yet)')),
    el('td', { class: 'mono', title: p.peerId }, shortId(p.peerId)),
    el('td', { class: p.connected ? 'state-up' : 'state-down' }, p.connected ? 'connected' : 'known'),
    el('td', {}, p.latencyMs !== undefined ? p.latencyMs.toFixed(1) + ' ms' : '–'),
    el('td', {}, toolTags(p.tools || []))))
  $('peer-rows').replaceChildren(...rows)
  $('peer-count').textContent = state.peers.length ? '(' + state.peers.length + ')' : ''
  $('no-peers').hidden = state.peers.length > 0
}

// A few tool names; the card lists them all.
function toolTags (tools) {
  const shown = tools.slice(0, 6).map((t) => el('span', { class: 'tag' }, t))
  if (tools.length > shown.length) shown.push(el('span', { class: 'hint' }, '+' + (tools.length - shown.length) + ' more'))
  return shown
}

function select (id) {
  state.selected = id
  renderGraph()
  renderPeers()
  renderCard()
}

async function renderCard () {
  const id = state.selected
  const self = state.node && id === state.node.peerId
  let info
  try {
    info = self ? state.node : await api('/api/v1/peers/' + encodeURIComponent(id))
  } catch (e) {
    $('card').replaceChildren(el('p', { class: 'err' }, e.message))
    return
  }
  if (id !== state.selected) return // another selection came first
  const card = info.card || {}
  const tools = self ? state.tools.local : state.tools.remote.filter((t) => t.peerId === id)
  const rows = [
    ['Name', card.name || info.name || '(no card)'],
    ['Version', card.version || info.version],
    ['Description', card.description || info.description],
    ['Peer ID', el('code', {}, id)],
    ['Software', info.agentVersion],
    ['State', self ? 'this node' : info.connected ? 'connected' : 'not connected'],
    ['Latency', info.latencyMs !== undefined ? info.latencyMs.toFixed(2) + ' ms' : undefined],
    ['Addresses', list(self ? info.listenAddrs : info.addrs)],
    ['MCP endpoint', self && info.mcpUrl ? el('code', {}, info.mcpUrl) : undefined],
    ['Uptime', self && info.uptimeSeconds !== undefined ? Math.round(info.uptimeSeconds) + ' s' : undefined],
    ['Connections', self ? String(info.connections) : list((info.connections || []).map((c) =>
      `${c.direction} ${c.remoteAddr} (${c.security}, ${c.muxer})`))],
    ['Capabilities', (card.capabilities || []).map((c) => el('span', { class: 'tag' }, c))],
    ['Protocols', (info.protocols || []).map((p) => el('span', { class: 'tag' }, p))],
  ].filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
  const dl = el('dl', {}, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]))
  const toolList = tools.length
    ? el('ul', {}, tools.map((t) => el('li', {},
      el('strong', {}, t.name), ' ',
      el('button', { type: 'button', class: 'link', onclick: () => chooseTool(self ? '' : id, t.name) }, 'call…'),
      t.description ? el('div', { class: 'hint', title: t.description }, t.description) : null)))
    : el('p', { class: 'empty' }, 'No tools.')
  $('card').replaceChildren(el('div', { class: 'card' }, dl, el('h3', {}, 'Tools'), toolList))
}

function list (items) {
  if (!items || !items.length) return undefined
  return el('ul', {}, items.map((x) => el('li', { class: 'mono' }, x)))
}

// ---------------------------------------------------------------- tool calls

function toolKey (peer, name) { return (peer || '') + '\n' + name }

function renderToolChoices () {
  const select = $('call-tool')
  const before = select.value
  state.toolChoices.clear()
  const groups = []
  const local = state.tools.local.map((t) => ({ ...t, peerId: '' }))
  if (local.length) groups.push([state.node ? state.node.name + ' (this node)' : 'this node', local])
  const byPeer = new Map()
  for (const t of state.tools.remote) {
    if (!byPeer.has(t.peerId)) byPeer.set(t.peerId, [])
    byPeer.get(t.peerId).push(t)
  }
  for (const [peer, tools] of byPeer) {
    const p = state.peers.find((x) => x.peerId === peer)
    groups.push([(p && p.name ? p.name : '?') + ' — ' + shortId(peer) + (p && !p.connected ? ' (not connected)' : ''), tools])
  }
  select.replaceChildren(...groups.map(([label, tools]) => el('optgroup', { label },
    tools.map((t) => {
      const key = toolKey(t.peerId, t.name)
      state.toolChoices.set(key, t)
      return el('option', { value: key }, t.name)
    }))))
  if (state.toolChoices.has(before)) select.value = before
  else describeTool(true)
}

function chooseTool (peer, name) {
  const key = toolKey(peer, name)
  if (!state.toolChoices.has(key)) return
  $('call-tool').value = key
  describeTool(true)
  $('call-args').focus()
}

// A starting point for the arguments: the schema's required properties.
function skeleton (schema) {
  const props = (schema && schema.properties) || {}
  const required = (schema && schema.required) || []
  const out = {}
  for (const name of required) {
    const type = props[name] && props[name].type
    out[name] = type === 'number' || type === 'integer' ? 0 : type === 'boolean' ? false : type === 'array' ? [] : type === 'object' ? {} : ''
  }
  return out
}

function describeTool (resetArgs) {
  const t = state.toolChoices.get($('call-tool').value)
  const hint = $('call-description')
  if (!t) {
    hint.textContent = 'No tools known yet.'
    return
  }
  const props = (t.inputSchema && t.inputSchema.properties) || {}
  const required = (t.inputSchema && t.inputSchema.required) || []
  const params = Object.entries(props).map(([k, v]) =>
    `${k}${required.includes(k) ? '' : '?'}${v && v.type ? ': ' + v.type : ''}`)
  hint.textContent = (params.length ? 'Arguments: ' + params.join(', ') + '. ' : '') + (t.description || '')
  hint.title = t.description || ''
  if (resetArgs && !state.argsEdited) $('call-args').value = JSON.stringify(skeleton(t.inputSchema), null, 2)
}

// An MCP-style result ({content: [{type: "text", text}]}) reads better as
// its text; the whole result follows.
function resultText (result) {
  const json = JSON.stringify(result, null, 2)
  const content = result && Array.isArray(result.content) ? result.content : []
  const texts = content.filter((c) => c && c.type === 'text' && typeof c.text === 'string').map((c) => c.text)
  return texts.length ? texts.join('\n') + '\n\n── result ──\n' + json : json
}

async function callTool (event) {
  event.preventDefault()
  const t = state.toolChoices.get($('call-tool').value)
  const status = $('call-status')
  const out = $('call-result')
  if (!t) return
  let args
  try {
    args = JSON.parse($('call-args').value || '{}')
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error('it must be an object, like {"path": "/tmp"}')
  } catch (e) {
    status.className = 'hint err'
    status.textContent = 'The arguments are not a JSON object: ' + e.message
    out.textContent = ''
    return
  }
  const body = { tool: t.name, arguments: args }
  if (t.peerId) body.peer = t.peerId
  const button = $('call-submit')
  button.disabled = true
  status.className = 'hint'
  status.textContent = `Calling ${t.name} on ${peerName(t.peerId)}…`
  out.textContent = ''
  const started = performance.now()
  try {
    const r = await api('/api/v1/tools/call', body)
    status.className = 'hint ok'
    status.textContent = `${t.name} on ${peerName(t.peerId)}: ok in ${Math.round(performance.now() - started)} ms`
    out.textContent = resultText(r.result)
  } catch (e) {
    status.className = 'hint err'
    status.textContent = `${t.name} on ${peerName(t.peerId)} failed (${e.code}): ${e.message}`
  } finally {
    button.disabled = false
  }
}

// ---------------------------------------------------------------- A2A tasks

function renderTaskPeers () {
  const select = $('task-peer')
  const before = select.value
  const options = [el('option', { value: '' }, 'this node')]
  for (const p of state.peers) if (p.connected) options.push(el('option', { value: p.peerId }, (p.name || '?') + ' — ' + shortId(p.peerId)))
  select.replaceChildren(...options)
  if ([...select.options].some((o) => o.value === before)) select.value = before
}

function lastWordsCell (text) {
  const cut = text.length > 140 ? text.slice(0, 139) + '…' : text
  return el('td', { class: 'mono', title: text.length > 140 ? text.slice(0, 2000) : undefined }, cut)
}

function renderTasks () {
  const rows = []
  const row = (task, where) => el('tr', { 'data-task': task.id },
    el('td', { class: 'mono nowrap', title: task.id }, shortId(task.id), where ? el('div', { class: 'hint' }, 'on ' + where) : null),
    el('td', { class: 'state-' + stateName(task.status && task.status.state) }, stateName(task.status && task.status.state)),
    el('td', {}, task.status && task.status.timestamp ? new Date(task.status.timestamp).toLocaleTimeString() : ''),
    lastWordsCell(lastWords(task)))
  for (const s of state.sent) if (s.task) rows.push(row(s.task, peerName(s.peer)))
  for (const t of state.tasks) rows.push(row(t, null))
  $('task-rows').replaceChildren(...rows)
  $('task-count').textContent = rows.length ? '(' + rows.length + ')' : ''
  $('no-tasks').hidden = rows.length > 0
}

async function sendTask (event) {
  event.preventDefault()
  const peer = $('task-peer').value
  const input = $('task-text').value.trim()
  const status = $('task-status')
  if (!input) return
  const body = peer ? { peer } : {}
  try {
    const v = JSON.parse(input)
    if (typeof v === 'object' && v !== null) body.data = v
    else body.text = input
  } catch {
    body.text = input
  }
  status.className = 'hint'
  status.textContent = 'Sending…'
  try {
    const task = await api('/api/v1/a2a/send', body)
    status.className = 'hint ok'
    status.textContent = `Task ${shortId(task.id)} on ${peerName(peer)}: ${stateName(task.status.state)}`
    $('task-text').value = ''
    if (peer) {
      const entry = { id: task.id, peer, task }
      state.sent.unshift(entry)
      state.sent.length = Math.min(state.sent.length, 20)
      renderTasks()
      followRemoteTask(entry)
    } else {
      refreshTasks()
    }
  } catch (e) {
    status.className = 'hint err'
    status.textContent = 'Sending failed (' + e.code + '): ' + e.message
  }
}

// A task on another peer is not in this node's list: ask its peer until it
// ends (bounded).
async function followRemoteTask (entry) {
  for (let i = 0; i < 60 && !TERMINAL.includes(stateName(entry.task.status.state)); i++) {
    await sleep(Math.min(250 * (i + 1), 2000))
    try {
      entry.task = await api('/api/v1/a2a/tasks/' + encodeURIComponent(entry.id) + '?peer=' + encodeURIComponent(entry.peer))
      renderTasks()
    } catch { /* the peer may be gone; keep the last state */ }
  }
}

// ---------------------------------------------------------------- events

function setStream (kind, text) {
  const b = $('stream-state')
  b.className = 'badge ' + kind
  b.textContent = 'events: ' + text
}

function summary (data) {
  const parts = []
  for (const [k, v] of Object.entries(data || {})) {
    if (v === null || v === undefined) continue
    let s = typeof v === 'string' && /^(12D3KooW|Qm)/.test(v) ? peerName(v) : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(1) : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v)
    if (s.length > 120) s = s.slice(0, 119) + '…'
    parts.push(k + '=' + s)
  }
  return parts.join('  ')
}

function logEvent (ev) {
  const time = ev.time ? new Date(ev.time) : new Date()
  const li = el('li', { 'data-type': ev.type },
    el('span', { class: 'time' }, time.toLocaleTimeString()),
    el('span', { class: 'type' }, ev.type),
    el('span', { class: 'data' }, summary(ev.data)))
  const log = $('log')
  log.prepend(li)
  while (log.children.length > MAX_LOG) log.lastElementChild.remove()
}

function onEvent (ev) {
  logEvent(ev)
  const t = ev.type || ''
  if (t.startsWith('peer.') || t.startsWith('connection.') || t === 'card.updated') refreshPeers()
  else if (t === 'task.updated') refreshTasks()
  else if (t === 'tool.called') flashEdge((ev.data && (ev.data.peer || ev.data.caller)) || '')
}

function onBlock (block) {
  let type = 'message'
  let data = ''
  let id = null
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') type = value
    else if (field === 'data') data += (data ? '\n' : '') + value
    else if (field === 'id') id = value
  }
  if (!data) return
  let ev
  try { ev = JSON.parse(data) } catch { return }
  if (id && /^\d+$/.test(id)) state.lastSeq = Math.max(state.lastSeq, Number(id))
  if (!ev.type) ev.type = type
  onEvent(ev)
}

let streamAbort = null

// Follows /api/v1/events with fetch (not EventSource: it cannot send the
// Authorization header), resuming after the last event seen.
async function followEvents () {
  let delay = 1000
  for (;;) {
    streamAbort = new AbortController()
    try {
      const q = state.lastSeq ? '?after=' + state.lastSeq : ''
      const res = await fetch('/api/v1/events' + q, {
        cache: 'no-store', signal: streamAbort.signal, headers: headers({ Accept: 'text/event-stream' }),
      })
      if (res.status === 401) {
        askForToken()
        setStream('off', 'needs the API token')
        await pause(30000, streamAbort.signal) // or until a token is entered
        continue
      }
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status)
      setStream('live', 'live')
      delay = 1000
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      let buf = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buf += value.replace(/\r/g, '')
        let i
        while ((i = buf.indexOf('\n\n')) >= 0) {
          onBlock(buf.slice(0, i))
          buf = buf.slice(i + 2)
        }
      }
    } catch { /* reconnect below */ }
    if (streamAbort.signal.aborted) continue // a new token: reconnect now
    setStream('off', 'reconnecting…')
    await sleep(delay)
    delay = Math.min(delay * 2, 10000)
    loadAll() // catch up with what happened while the stream was down
  }
}

// ---------------------------------------------------------------- start

function start () {
  $('token').value = token()
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const t = $('token').value.trim()
    if (t) sessionStorage.setItem(TOKEN_KEY, t)
    else sessionStorage.removeItem(TOKEN_KEY)
    showNotice('')
    loadAll()
    if (streamAbort) streamAbort.abort()
  })
  $('call-form').addEventListener('submit', callTool)
  $('call-tool').addEventListener('change', () => { state.argsEdited = false; describeTool(true) })
  $('call-args').addEventListener('input', () => { state.argsEdited = true })
  $('task-form').addEventListener('submit', sendTask)
  loadAll().then(followEvents)
  // Latency and connection state also change without events.
  setInterval(() => { if (!document.hidden) refreshPeers() }, 15000)
}

start()
