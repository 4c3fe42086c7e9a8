#!/usr/bin/env -S node
// A2A over HTTP: the official @a2a-js/sdk client (1.3.0, A2A 1.0 natively,
// 0.3 through its legacyCompat layer) against agentp2p's HTTP binding
// (tests/a2a_http/a2a_http_server.cpp). For each protocol version: fetch the
// agent card from the well-known URL, message/send, message/stream to
// completion, tasks/get, tasks/cancel of a long-running task, and errors.
// Then a second server with `--agent echo-message` (an agent that answers
// with a Message, no task): both clients get that Message from message/send
// and as the only event of message/stream.
//   node a2a_http_sdk_client.mjs --server <agentp2p_a2a_http_server>
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createInterface } from 'node:readline'

import { Role, TaskState } from '@a2a-js/sdk'
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory
} from '@a2a-js/sdk/client'

const args = process.argv.slice(2)
const serverPath = args[args.indexOf('--server') + 1]
if (!serverPath || args.indexOf('--server') < 0) {
  console.error('usage: a2a_http_sdk_client.mjs --server <agentp2p_a2a_http_server>')
  process.exit(2)
}

let passed = 0
let failed = 0
async function check (name, fn) {
  try {
    await fn()
    passed++
    console.log(`ok   ${name}`)
  } catch (e) {
    failed++
    console.log(`FAIL ${name}: ${e?.stack ?? e}`)
  }
}

function startServer (serverArgs = []) {
  const child = spawn(serverPath, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] })
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not print its URL within 20 s')), 20_000)
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)))
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line).url)
    })
  })
  return { child, ready }
}

function dataMessage (tool, toolArgs) {
  return {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'data', value: { tool, arguments: toolArgs } }, metadata: undefined, filename: '', mediaType: '' }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: []
  }
}

function sendRequest (message, returnImmediately = false) {
  return {
    tenant: '',
    message,
    configuration: { acceptedOutputModes: [], taskPushNotificationConfig: undefined, returnImmediately },
    metadata: undefined
  }
}

// A Task from SendMessageResult (Message | Task).
function asTask (result) {
  assert.ok(result && result.status, `expected a task, got ${JSON.stringify(result)}`)
  return result
}

function firstArtifactData (task) {
  const part = task.artifacts?.[0]?.parts?.[0]
  assert.ok(part, `task has no artifact: ${JSON.stringify(task)}`)
  assert.equal(part.content?.$case, 'data')
  return part.content.value
}

// Waits (bounded) until a task leaves SUBMITTED, so cancel meets a running task.
async function waitWorking (client, id) {
  for (let i = 0; i < 100; i++) {
    const t = await client.getTask({ tenant: '', id })
    if (t.status.state !== TaskState.TASK_STATE_SUBMITTED) return t
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('task never started working')
}

async function suite (label, client) {
  await check(`${label}: message/send runs a tool to completion`, async () => {
    const task = asTask(await client.sendMessage(sendRequest(dataMessage('echo', { text: 'hello' }))))
    assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED)
    assert.deepEqual(firstArtifactData(task), { text: 'hello' })
  })

  await check(`${label}: message/stream delivers the task, then updates to completion`, async () => {
    const events = []
    for await (const ev of client.sendMessageStream(sendRequest(dataMessage('echo', { n: 7 })))) {
      events.push(ev)
      if (events.length > 50) throw new Error('too many events')
    }
    assert.ok(events.length >= 2, `expected several events, got ${events.length}`)
    assert.equal(events[0].payload?.$case, 'task')
    const cases = events.map((e) => e.payload?.$case)
    assert.ok(cases.includes('artifactUpdate'), `no artifact update in ${cases}`)
    const last = events[events.length - 1].payload
    assert.equal(last.$case, 'statusUpdate')
    assert.equal(last.value.status.state, TaskState.TASK_STATE_COMPLETED)
    const taskId = events[0].payload.value.id
    const got = await client.getTask({ tenant: '', id: taskId })
    assert.equal(got.status.state, TaskState.TASK_STATE_COMPLETED)
    assert.deepEqual(firstArtifactData(got), { n: 7 })
  })

  await check(`${label}: tasks/cancel stops a long-running task`, async () => {
    const started = asTask(await client.sendMessage(sendRequest(dataMessage('sleep', { seconds: 30 }), true)))
    assert.ok([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING].includes(started.status.state),
      `unexpected state ${started.status.state}`)
    const working = await waitWorking(client, started.id)
    assert.equal(working.status.state, TaskState.TASK_STATE_WORKING)
    const canceled = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined })
    assert.equal(canceled.status.state, TaskState.TASK_STATE_CANCELED)
    const after = await client.getTask({ tenant: '', id: started.id })
    assert.equal(after.status.state, TaskState.TASK_STATE_CANCELED)
    // A finished task cannot be canceled again.
    await assert.rejects(client.cancelTask({ tenant: '', id: started.id, metadata: undefined }),
      (e) => /-32002|not cancel/i.test(`${e?.message} ${e?.cause?.message ?? ''} ${e?.code ?? ''}`) || e?.constructor?.name?.includes('NotCancelable'))
  })

  await check(`${label}: a failing tool fails the task with its message`, async () => {
    const task = asTask(await client.sendMessage(sendRequest(dataMessage('fail', {}))))
    assert.equal(task.status.state, TaskState.TASK_STATE_FAILED)
  })

  await check(`${label}: an unknown task is an error`, async () => {
    await assert.rejects(client.getTask({ tenant: '', id: 'no-such-task' }))
  })
}

// A direct reply (A2A: SendMessage's result is a Message, not a Task).
async function replySuite (label, client) {
  await check(`${label}: message/send gets the agent's Message`, async () => {
    const result = await client.sendMessage(sendRequest(textMessage('hi there')))
    assert.ok(!result.status, `expected a message, got a task: ${JSON.stringify(result)}`)
    assert.equal(result.role, Role.ROLE_AGENT)
    assert.ok(result.messageId)
    assert.ok(result.contextId)
    assert.equal(result.parts[0].content.$case, 'text')
    assert.equal(result.parts[0].content.value, 'hi there')
  })

  await check(`${label}: message/stream carries the Message as its only event`, async () => {
    const events = []
    for await (const ev of client.sendMessageStream(sendRequest(textMessage('streamed')))) {
      events.push(ev)
      if (events.length > 5) throw new Error('too many events')
    }
    assert.equal(events.length, 1, `events: ${JSON.stringify(events.map((e) => e.payload?.$case))}`)
    assert.equal(events[0].payload?.$case, 'message')
    assert.equal(events[0].payload.value.parts[0].content.value, 'streamed')
  })
}

function textMessage (text) {
  return {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: '' }],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: []
  }
}

function legacyFactory () {
  return new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory({ legacyCompat: { enabled: true } })],
    cardResolver: new DefaultAgentCardResolver({ legacyCompat: { enabled: true } })
  }))
}

const { child, ready } = startServer()
try {
  const base = await ready
  console.log(`server at ${base}`)

  await check('well-known card (0.3 by default, 1.0 with A2A-Version) names the endpoint', async () => {
    const v03 = await (await fetch(`${base}/.well-known/agent-card.json`)).json()
    assert.equal(v03.protocolVersion, '0.3.0')
    assert.equal(v03.url, `${base}/a2a`)
    const v10 = await (await fetch(`${base}/.well-known/agent-card.json`, { headers: { 'A2A-Version': '1.0' } })).json()
    assert.equal(v10.supportedInterfaces[0].url, `${base}/a2a`)
    const legacy = await (await fetch(`${base}/.well-known/agent.json`)).json()
    assert.equal(legacy.url, `${base}/a2a`)
  })

  await check('malformed JSON-RPC gets -32700 / -32600', async () => {
    const post = (body) => fetch(`${base}/a2a`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
    const parse = await (await post('{nope')).json()
    assert.equal(parse.error.code, -32700)
    const invalid = await (await post('{"jsonrpc":"2.0","id":1}')).json()
    assert.equal(invalid.error.code, -32600)
  })

  // A2A 1.0: the SDK's native client, discovering the agent from its URL.
  const client10 = await new ClientFactory().createFromUrl(base)
  assert.equal(client10.protocolVersion, '1.0')
  await suite('A2A 1.0', client10)

  // A2A 0.3: the SDK's compat layer, from our 0.3 card.
  const factory03 = legacyFactory()
  const card03 = await (await fetch(`${base}/.well-known/agent-card.json`)).json()
  const client03 = await factory03.createFromAgentCard(card03)
  assert.match(client03.protocolVersion, /^0\.3/)
  await suite('A2A 0.3', client03)
} catch (e) {
  failed++
  console.log(`FAIL setup: ${e?.stack ?? e}`)
} finally {
  child.kill('SIGTERM')
}

const replier = startServer(['--agent', 'echo-message'])
try {
  const base = await replier.ready
  console.log(`direct-reply server at ${base}`)
  await replySuite('A2A 1.0', await new ClientFactory().createFromUrl(base))
  const card03 = await (await fetch(`${base}/.well-known/agent-card.json`)).json()
  await replySuite('A2A 0.3', await legacyFactory().createFromAgentCard(card03))
} catch (e) {
  failed++
  console.log(`FAIL direct-reply setup: ${e?.stack ?? e}`)
} finally {
  replier.child.kill('SIGTERM')
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed === 0 && passed > 0 ? 0 : 1)
