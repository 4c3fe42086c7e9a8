// The web dashboard as a person uses it, in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core): two `agentp2p run` nodes on
// loopback; alice's API wants a token. Open alice's dashboard, enter the
// token, connect alice to bob through the API, see bob appear in the graph
// and the peer list (pushed by the event stream), read his card, call his
// tool from the form, send him an A2A task, see the events, and see him go
// when he stops. Also checks the page's headers (CSP, ETag → 304) and that
// the page logged no error or CSP violation. Screenshots go to --out (printed).
//
//   node22 run_dashboard_test.mjs --bin build/release/apps/agentp2p --out /tmp/shots
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import assert from 'node:assert/strict'

const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined }
const bin = arg('--bin')
const out = arg('--out') || join(tmpdir(), 'agentp2p-dashboard-shots')
if (!bin || !existsSync(bin)) throw new Error('usage: run_dashboard_test.mjs --bin PATH/TO/agentp2p [--out DIR]')
mkdirSync(out, { recursive: true })

const here = dirname(fileURLToPath(import.meta.url))
const { chromium } = await import(pathToFileURL(join(here, '../interop/node_modules/playwright-core/index.mjs')).href)

const children = []
const dirs = []
let browser = null
let page = null
async function cleanup () {
  if (browser) await browser.close().catch(() => {})
  browser = null
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
}
process.on('exit', () => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL') })
const overall = setTimeout(async () => {
  console.error('dashboard test: overall time limit (75 s) reached')
  await cleanup()
  process.exit(1)
}, 75_000)

const TOKEN = 'dashboard-test-token'
const baseEnv = { ...process.env, AGENTP2P_LOG_LEVEL: 'warn' }
for (const k of ['AGENTP2P_API', 'AGENTP2P_API_TOKEN', 'AGENTP2P_CONFIG']) delete baseEnv[k]

function startNode (name, token) {
  const dataDir = mkdtempSync(join(tmpdir(), `agentp2p-dash-${name}-`))
  dirs.push(dataDir)
  const env = token ? { ...baseEnv, AGENTP2P_API_TOKEN: token } : baseEnv
  const child = spawn(bin, ['run', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--api', '127.0.0.1:0',
    '--no-mdns', '--no-dht', '--name', name], { env, stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`${name}: no ready line within 20 s`)), 20_000)
    child.stdout.on('data', (chunk) => {
      buf += chunk
      const nl = buf.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolve({ name, child, ready: JSON.parse(buf.slice(0, nl)) })
      }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited early (${code})`)) })
  })
}

async function shot (page, name) {
  const path = join(out, name + '.png')
  await page.screenshot({ path, fullPage: true })
  console.log('screenshot:', path)
}

try {
  const [alice, bob] = await Promise.all([startNode('alice', TOKEN), startNode('bob', null)])
  const url = alice.ready.apiUrl
  console.log('alice', alice.ready.peerId, url)
  console.log('bob  ', bob.ready.peerId, bob.ready.apiUrl)

  // The page and its assets: headers, caching, no token needed.
  const page0 = await fetch(url + '/')
  assert.equal(page0.status, 200)
  assert.match(page0.headers.get('content-type'), /^text\/html/)
  assert.match(page0.headers.get('content-security-policy'), /default-src 'none'.*script-src 'self'/)
  const etag = page0.headers.get('etag')
  assert.ok(etag)
  assert.equal((await fetch(url + '/', { headers: { 'If-None-Match': etag } })).status, 304)
  assert.match((await fetch(url + '/dashboard/app.js')).headers.get('content-type'), /^text\/javascript/)
  assert.equal((await fetch(url + '/api/v1/node')).status, 401, 'the API itself still wants the token')

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] })
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const problems = []
  page.on('pageerror', (e) => problems.push('page error: ' + e.message))
  page.on('console', (m) => {
    // 401s before the token is entered are expected; anything else is not.
    if (m.type() === 'error' && !/401/.test(m.text())) problems.push('console: ' + m.text())
  })
  await page.goto(url + '/', { waitUntil: 'load', timeout: 15_000 })

  // Without the token the page says so; with it, it shows the node.
  await page.locator('#notice').getByText('API token').waitFor({ timeout: 10_000 })
  await page.locator('#token').fill(TOKEN)
  await page.locator('#token-form button').click()
  await page.locator('#node-name').getByText('alice').waitFor({ timeout: 10_000 })
  await page.locator('#stream-state.live').waitFor({ timeout: 10_000 })
  assert.equal(await page.locator('#node-id').textContent(), alice.ready.peerId)
  await shot(page, '01-alone')

  // Connect alice to bob; the page learns it from the event stream.
  const bobAddr = bob.ready.listenAddrs.find((a) => a.startsWith('/ip4/127.0.0.1/'))
  const connected = await fetch(url + '/api/v1/peers/connect', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + TOKEN, 'Content-Type': 'application/json' },
    body: JSON.stringify({ addr: bobAddr }),
  })
  assert.equal(connected.status, 200, await connected.text())
  const bobNode = page.locator(`#graph g.node.up[data-peer="${bob.ready.peerId}"]`)
  await bobNode.waitFor({ timeout: 15_000 })
  await page.locator(`#peer-rows tr[data-peer="${bob.ready.peerId}"]`).getByText('bob').waitFor({ timeout: 15_000 })
  await page.locator(`#graph line.edge:not(.down)[data-peer="${bob.ready.peerId}"]`).waitFor({ state: 'attached', timeout: 5_000 })
  await page.locator('#log li[data-type="card.updated"]').first().waitFor({ timeout: 10_000 })

  // His card, from a click on his node in the graph.
  await bobNode.click()
  await page.locator('#card dd code').getByText(bob.ready.peerId, { exact: true }).waitFor({ timeout: 10_000 })
  await page.locator('#card').getByText('node_info').waitFor({ timeout: 10_000 })
  await shot(page, '02-peer-connected')

  // Call bob's node_info from the form.
  await page.locator('#call-tool').selectOption(`${bob.ready.peerId}\nnode_info`)
  await page.locator('#call-args').fill('{}')
  await page.locator('#call-submit').click()
  await page.locator('#call-status.ok').waitFor({ timeout: 15_000 })
  const result = JSON.parse(await page.locator('#call-result').textContent())
  assert.equal(result.name, 'bob')
  assert.equal(result.peerId, bob.ready.peerId)
  await page.locator('#log li[data-type="tool.called"]').first().waitFor({ timeout: 10_000 })

  // A bad argument text is caught before anything is sent.
  await page.locator('#call-args').fill('{not json')
  await page.locator('#call-submit').click()
  await page.locator('#call-status.err').getByText('not a JSON object').waitFor({ timeout: 5_000 })
  await page.locator('#call-args').fill('{}')

  // An A2A task on bob that runs one of his tools.
  await page.locator('#task-peer').selectOption(bob.ready.peerId)
  await page.locator('#task-text').fill('{"tool":"node_info","arguments":{}}')
  await page.locator('#task-form button').click()
  await page.locator('#task-rows td').getByText('completed', { exact: true }).waitFor({ timeout: 20_000 })
  await shot(page, '03-tool-called')

  // Keyboard: the graph's nodes are focusable buttons.
  await page.locator(`#graph g.node.self`).focus()
  await page.keyboard.press('Enter')
  await page.locator('#card dd code').getByText(alice.ready.peerId, { exact: true }).waitFor({ timeout: 5_000 })

  // Bob stops: the graph shows him as known but no longer connected.
  bob.child.kill('SIGTERM')
  await page.locator(`#graph g.node.down[data-peer="${bob.ready.peerId}"]`).waitFor({ timeout: 20_000 })
  await page.locator(`#graph line.edge.down[data-peer="${bob.ready.peerId}"]`).waitFor({ state: 'attached', timeout: 5_000 })
  await shot(page, '04-peer-gone')

  assert.deepEqual(problems, [], 'the page logged errors')
  console.log('dashboard test: ok')
  clearTimeout(overall)
  await cleanup()
} catch (e) {
  console.error(e)
  if (page) await shot(page, 'failure').catch(() => {})
  clearTimeout(overall)
  await cleanup()
  process.exit(1)
}
