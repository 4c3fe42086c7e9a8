// End to end P2P-MCP: node A runs the real @modelcontextprotocol/server-filesystem
// over stdio on a temporary folder; node B serves MCP over Streamable HTTP; the
// TypeScript SDK client on B uses A's filesystem tools across libp2p.
//   node22 bridge_e2e.mjs <agentp2p_mcp_bridge_node>
// Loopback only; every process and the folder are cleaned up on any exit.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const interop = join(here, '..', 'interop');
const sdk = (p) => pathToFileURL(join(interop, 'node_modules/@modelcontextprotocol/sdk/dist/esm', p)).href;
const { Client } = await import(sdk('client/index.js'));
const { StreamableHTTPClientTransport } = await import(sdk('client/streamableHttp.js'));
const { ToolListChangedNotificationSchema } = await import(sdk('types.js'));

const nodeBin = process.argv[2];
const node22 = join(interop, 'node22');
const fsServer = join(interop, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

const work = realpathSync(mkdtempSync(join(tmpdir(), 'agentp2p-bridge-')));
const shared = join(work, 'shared');
const children = [];
let client;

function cleanup() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
const overall = setTimeout(() => { console.error('end-to-end test timed out'); process.exit(1); }, 100_000);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function eventually(what, pred, tries = 200, every = 100) {
  for (let i = 0; i < tries; i++) {
    const v = await pred();
    if (v) return v;
    await sleep(every);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function startNode(name, args) {
  const dir = join(work, name);
  const child = spawn(nodeBin, ['--name', name, '--data-dir', dir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  child.stderr.on('data', (d) => process.stderr.write(`[${name}] ${d}`));
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => resolve({ child, ...JSON.parse(line) }));
    child.once('exit', (code) => reject(new Error(`${name} exited early (${code})`)));
  });
}

// The children of a process (server-filesystem under node A).
function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch { /* gone */ }
  }
  return out;
}

const textOf = (r) => (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');

try {
  (await import('node:fs')).mkdirSync(shared);
  writeFileSync(join(shared, 'hello.txt'), 'hello from node A\n');

  const external = JSON.stringify({ name: 'fs', command: node22, args: [fsServer, shared], expose: 'all' });
  const a = await startNode('alpha', ['--external', external]);
  const b = await startNode('beta', ['--http', '--connect', a.addrs[0]]);
  console.log(`A ${a.peerId}, B ${b.peerId} serving MCP at ${b.mcpUrl}`);

  client = new Client({ name: 'e2e-sdk-client', version: '1.0.0' });
  let listChanged = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => { listChanged++; });
  await client.connect(new StreamableHTTPClientTransport(new URL(b.mcpUrl)));

  const readTool = 'alpha.fs.read_text_file';
  const listed = await eventually(`${readTool} on B`, async () => {
    const { tools } = await client.listTools();
    return tools.some((t) => t.name === readTool) ? tools : null;
  });
  const alphaTools = listed.filter((t) => t.name.startsWith('alpha.fs.')).map((t) => t.name);
  console.log(`B lists ${alphaTools.length} of A's filesystem tools: ${alphaTools.slice(0, 4).join(', ')}, ...`);
  assert.ok(alphaTools.includes('alpha.fs.list_directory'));
  assert.ok(listed.some((t) => t.name === 'list_peers'));

  const read = await client.callTool({ name: readTool, arguments: { path: join(shared, 'hello.txt') } });
  assert.ok(!read.isError, textOf(read));
  assert.match(textOf(read), /hello from node A/);
  console.log('read A\'s file through B: ok');

  const peers = await client.callTool({ name: 'list_peers', arguments: {} });
  assert.match(JSON.stringify(peers), new RegExp(a.peerId));

  // Kill server-filesystem: A restarts it, and the next call through B succeeds.
  const fsPids = childrenOf(a.child.pid);
  assert.equal(fsPids.length, 1, `expected one child of node A, found ${fsPids}`);
  process.kill(fsPids[0], 'SIGKILL');
  await eventually('A to restart server-filesystem', () => {
    const now = childrenOf(a.child.pid);
    return now.length === 1 && now[0] !== fsPids[0];
  });
  const again = await eventually('a call through B after the restart', async () => {
    try {
      const r = await client.callTool({ name: readTool, arguments: { path: join(shared, 'hello.txt') } });
      return r.isError ? null : r;
    } catch { return null; }
  });
  assert.match(textOf(again), /hello from node A/);
  console.log('after killing server-filesystem, A restarted it and the call through B succeeded');

  // A stops: B drops A's tools and the client hears list_changed.
  const before = listChanged;
  a.child.kill('SIGTERM');
  await eventually('B to drop A\'s tools', async () => {
    const { tools } = await client.listTools();
    return !tools.some((t) => t.name.startsWith('alpha.'));
  });
  await eventually('a list_changed notification', () => listChanged > before);
  console.log(`A stopped: B dropped its tools; list_changed notifications received: ${listChanged - before}`);
  await client.close();
  clearTimeout(overall);
  console.log('bridge end to end: ok');
  process.exit(0);
} catch (e) {
  console.error('bridge end to end FAILED:', e);
  process.exit(1);
}
