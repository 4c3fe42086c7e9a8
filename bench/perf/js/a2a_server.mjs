// The reference A2A server for the benchmark: @a2a-js/sdk 1.3.0's express
// JSON-RPC handler (A2A 1.0) with an in-memory task store and a trivial
// executor that answers every message at once with an agent message echoing
// the user's parts. Prints {"url": "http://127.0.0.1:PORT"} (JSON-RPC at /a2a)
// when listening; exits when stdin closes.
import { randomUUID } from 'node:crypto'

import express from 'express'
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server'
import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
import { Role } from '@a2a-js/sdk'

class EchoExecutor {
  async execute (ctx, bus) {
    const user = ctx.userMessage
    bus.publish(AgentEvent.message({
      messageId: randomUUID(),
      contextId: ctx.contextId,
      taskId: '',
      role: Role.ROLE_AGENT,
      parts: user.parts,
      metadata: undefined,
      extensions: [],
      referenceTaskIds: []
    }))
    bus.finished()
  }

  async cancelTask () {}
}

const app = express()
const listener = app.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${listener.address().port}`
  const card = {
    name: 'bench echo agent',
    description: 'answers every message with an echo',
    version: '1.0.0',
    supportedInterfaces: [{ url: `${url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' }],
    capabilities: { streaming: false, pushNotifications: false, extensions: [] },
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain', 'application/json'],
    skills: [{ id: 'echo', name: 'echo', description: 'echo', tags: ['echo'], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    securitySchemes: {},
    securityRequirements: [],
    signatures: []
  }
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), new EchoExecutor())
  app.use('/a2a', express.json({ limit: '4mb' }), jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }))
  console.log(JSON.stringify({ url }))
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
