// Drives our stdio MCP server (the conformance fixture) with the official
// TypeScript SDK client: initialize, tools, progress, sampling, elicitation,
// resources, templates, subscriptions, prompts, completion, logging, ping.
// Usage: node22 stdio_sdk_client.mjs <path to agentp2p_mcp_fixture_server>
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../interop/package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const {
  CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema,
  LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema,
} = require('@modelcontextprotocol/sdk/types.js');

const server = process.argv[2];
if (!server) { console.error('usage: stdio_sdk_client.mjs SERVER'); process.exit(2); }

const client = new Client({ name: 'agentp2p-stdio-test', version: '1.0.0' },
  { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } });
client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({
  role: 'assistant', model: 'test-model',
  content: { type: 'text', text: `echo ${req.params.messages[0].content.text}` },
}));
client.setRequestHandler(ElicitRequestSchema, async () => ({
  action: 'accept', content: { username: 'ada', email: 'ada@example.org' },
}));
client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [] }));
const logs = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logs.push(n.params));

const transport = new StdioClientTransport({ command: server, args: ['--stdio'], stderr: 'inherit' });
const watchdog = setTimeout(() => { console.error('timed out'); process.exit(1); }, 60000);
let checks = 0;
const check = (what, fn) => { fn(); checks++; console.log(`ok ${checks} - ${what}`); };

try {
  await client.connect(transport);
  check('initialize negotiates the latest version', () => {
    assert.equal(client.getServerVersion().name, 'agentp2p-conformance-fixture');
    assert.ok(client.getServerCapabilities().tools);
  });

  const tools = await client.listTools();
  check('tools/list', () => {
    const names = tools.tools.map((t) => t.name);
    for (const n of ['test_simple_text', 'test_sampling', 'json_schema_2020_12_tool']) assert.ok(names.includes(n), n);
    const s = tools.tools.find((t) => t.name === 'json_schema_2020_12_tool').inputSchema;
    assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(s.additionalProperties, false);
  });

  const text = await client.callTool({ name: 'test_simple_text', arguments: {} });
  check('tools/call text', () => assert.equal(text.content[0].text, 'This is a simple text response for testing.'));

  const progress = [];
  const prog = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined,
    { onprogress: (p) => progress.push(p.progress) });
  // The SDK runs notification handlers in a microtask but responses at once:
  // when the last progress and the response arrive in one read, the SDK drops
  // that progress (its handler is gone). So the last one may be missing.
  check('progress notifications', () => {
    assert.deepEqual(progress.slice(0, 2), [0, 50]);
    assert.ok(progress.length <= 3 && (progress.length === 2 || progress[2] === 100));
    assert.ok(prog.content[0].text);
  });

  const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
  check('sampling/createMessage from a tool', () => assert.equal(sampled.content[0].text, 'LLM response: echo hi'));

  const elicited = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who?' } });
  check('elicitation/create from a tool', () => assert.match(elicited.content[0].text, /action=accept.*ada/));

  const failed = await client.callTool({ name: 'test_error_handling', arguments: {} });
  check('tool error is isError', () => assert.equal(failed.isError, true));

  await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
  check('log notifications', () => assert.deepEqual(logs.map((l) => l.data),
    ['Tool execution started', 'Tool processing data', 'Tool execution completed']));

  let unknown = null;
  try { await client.callTool({ name: 'no_such_tool', arguments: {} }); } catch (e) { unknown = e; }
  check('unknown tool is -32602', () => assert.equal(unknown?.code, -32602));

  const resources = await client.listResources();
  check('resources/list', () => assert.ok(resources.resources.some((r) => r.uri === 'test://static-text')));
  const read = await client.readResource({ uri: 'test://static-text' });
  check('resources/read', () => assert.equal(read.contents[0].text, 'This is the content of the static text resource.'));
  const templated = await client.readResource({ uri: 'test://template/123/data' });
  check('resource template', () => assert.equal(JSON.parse(templated.contents[0].text).id, '123'));
  const templates = await client.listResourceTemplates();
  check('resources/templates/list', () => assert.equal(templates.resourceTemplates[0].uriTemplate, 'test://template/{id}/data'));
  let missing = null;
  try { await client.readResource({ uri: 'test://nope' }); } catch (e) { missing = e; }
  check('unknown resource is -32002', () => assert.equal(missing?.code, -32002));
  await client.subscribeResource({ uri: 'test://watched-resource' });
  await client.unsubscribeResource({ uri: 'test://watched-resource' });
  check('subscribe/unsubscribe', () => {});

  const prompts = await client.listPrompts();
  check('prompts/list', () => assert.ok(prompts.prompts.some((p) => p.name === 'test_prompt_with_arguments')));
  const prompt = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'hello', arg2: 'world' } });
  check('prompts/get', () => assert.equal(prompt.messages[0].content.text, "Prompt with arguments: arg1='hello', arg2='world'"));

  const done = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
    argument: { name: 'arg1', value: 'par' } });
  check('completion/complete', () => assert.deepEqual(done.completion.values, ['paris', 'park', 'party']));

  await client.setLoggingLevel('error');
  await client.ping();
  check('logging/setLevel and ping', () => {});

  await client.close();
  clearTimeout(watchdog);
  console.log(`all ${checks} checks passed`);
} catch (e) {
  console.error('FAILED:', e);
  process.exit(1);
}
