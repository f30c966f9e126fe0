import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpTransport } from '../../../src/kook/api/http-transport.js'

/** A server that records each request's raw bytes (head and body) and answers `{}`. */
async function recordingServer(): Promise<{ port: number; requests: string[]; close(): void }> {
  const requests: string[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    let buffered = ''
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1')
      const end = buffered.indexOf('\r\n\r\n')
      if (end === -1) return
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(buffered)?.[1] ?? 0)
      if (buffered.length < end + 4 + length) return
      requests.push(buffered.slice(0, end + 4 + length))
      buffered = buffered.slice(end + 4 + length)
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    port,
    requests,
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

/** What node writes for the same request given a headers object (the transport's former request). */
async function viaHeadersObject(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<void> {
  const outgoing: Record<string, string> = { ...headers, 'Accept-Encoding': 'gzip, deflate' }
  if (body !== undefined) outgoing['Content-Length'] = String(Buffer.byteLength(body))
  const agent = new http.Agent({ keepAlive: true })
  try {
    await new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method, headers: outgoing, agent }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end(body)
    })
  } finally {
    agent.destroy()
  }
}

let close: (() => void) | undefined
afterEach(() => close?.())

describe('HttpTransport requests', () => {
  it('writes the same bytes as node does for a headers object (POST with a body, GET without)', async () => {
    const server = await recordingServer()
    close = server.close
    const base = `http://127.0.0.1:${server.port}/api/v3`
    const headers = {
      Authorization: 'Bot t0ken',
      'User-Agent': 'kookbridge',
      'Content-Type': 'application/json',
    }
    const body = JSON.stringify({ type: 9, target_id: '1234', content: 'pong ✓' })
    const transport = new HttpTransport()
    const answer = await transport.send(`${base}/message/create`, 'POST', headers, body).answer
    expect(answer).toMatchObject({ status: 200, text: '{}' })
    await transport.send(`${base}/user/me?x=1`, 'GET', { Authorization: 'Bot t0ken' }, undefined).answer
    await viaHeadersObject(`${base}/message/create`, 'POST', headers, body)
    await viaHeadersObject(`${base}/user/me?x=1`, 'GET', { Authorization: 'Bot t0ken' }, undefined)
    expect(server.requests).toHaveLength(4)
    expect(server.requests[0]).toBe(server.requests[2])
    expect(server.requests[1]).toBe(server.requests[3])
    expect(server.requests[0]).toContain(`\r\nHost: 127.0.0.1:${server.port}\r\n`)
  })

  it('lets node merge a header the caller set itself (one Host, one Accept-Encoding)', async () => {
    const server = await recordingServer()
    close = server.close
    const url = `http://127.0.0.1:${server.port}/api/v3/user/me`
    const headers = { host: 'kook.example', 'accept-encoding': 'identity' }
    await new HttpTransport().send(url, 'GET', headers, undefined).answer
    await viaHeadersObject(url, 'GET', headers, undefined)
    expect(server.requests[0]).toBe(server.requests[1])
    expect(server.requests[0]?.match(/\r\nhost:/gi)).toHaveLength(1)
  })
})
