// The reference MCP server for the benchmark: the TypeScript SDK's McpServer
// with one trivial tool, test_simple_text (the same name and reply as our
// conformance fixture's tool, tests/mcp/fixture.cpp), over
//   --stdio   StdioServerTransport
//   --http    StreamableHTTPServerTransport on express 5, STATEFUL: an
//             initialize without Mcp-Session-Id opens a session (its own
//             transport + McpServer); later requests carry the session id.
//             Responses are SSE (the SDK default), as ours are.
// --http prints {"url": "http://127.0.0.1:PORT/mcp"} when listening.
import { randomUUID } from 'node:crypto'

import express from 'express'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'

function makeServer () {
  const server = new McpServer({ name: 'bench-ts-sdk', version: '1.0.0' })
  server.registerTool('test_simple_text', { description: 'Tests simple text content response' }, async () => ({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }]
  }))
  return server
}

if (process.argv.includes('--stdio')) {
  await makeServer().connect(new StdioServerTransport())
} else {
  const app = express()
  app.use(express.json({ limit: '4mb' }))
  const transports = new Map()
  app.post('/mcp', async (req, res) => {
    const sid = req.headers['mcp-session-id']
    let transport = sid ? transports.get(sid) : undefined
    if (!transport) {
      if (sid || !isInitializeRequest(req.body)) {
        res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'no valid session' }, id: null })
        return
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => { transports.set(id, transport) }
      })
      transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId) }
      await makeServer().connect(transport)
    }
    await transport.handleRequest(req, res, req.body)
  })
  app.delete('/mcp', async (req, res) => {
    const transport = transports.get(req.headers['mcp-session-id'])
    if (!transport) { res.status(404).end(); return }
    await transport.handleRequest(req, res)
  })
  const listener = app.listen(0, '127.0.0.1', () => {
    console.log(JSON.stringify({ url: `http://127.0.0.1:${listener.address().port}/mcp` }))
  })
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
}
