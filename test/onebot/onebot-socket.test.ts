import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { EventQueue } from '../../src/onebot/event-queue.js'
import { OneBotSocket } from '../../src/onebot/onebot-socket.js'
import { okResponse } from '../../src/onebot/retcode.js'

/** Just enough of a ws WebSocket to watch the pump: sends are recorded with their callbacks. */
class FakeWs extends EventEmitter {
  readyState = 1
  bufferedAmount = 0
  readonly sent: Array<{ frame: string; done?: (error?: Error) => void }> = []
  send(frame: string, done?: (error?: Error) => void) {
    this.sent.push(done ? { frame, done } : { frame })
  }
  close() {
    this.readyState = 3
    this.emit('close', 1000)
  }
}

function open(queue: EventQueue, ws = new FakeWs()) {
  const socket = new OneBotSocket({
    ws: ws as unknown as WebSocket,
    role: 'universal',
    queue,
    dispatch: async (call) => okResponse(null, call.hasEcho, call.echo),
    lifecycleFrame: 'lifecycle',
    handshake: { actions: [], timeoutMs: 0, settleMs: 0 },
    highWaterMark: 100,
    labels: {},
  })
  return { ws, socket }
}

describe('OneBotSocket backpressure', () => {
  it('stops writing while bufferedAmount is above the watermark and resumes from the send callback', () => {
    const queue = new EventQueue(10)
    const { ws, socket } = open(queue)
    ws.bufferedAmount = 500
    for (const f of ['a', 'b', 'c']) queue.push(f)
    socket.notify()
    // Only the lifecycle frame went out: the socket is saturated, the events wait in the bounded queue.
    expect(ws.sent.map((s) => s.frame)).toEqual(['lifecycle'])
    expect(queue.size).toBe(3)
    ws.bufferedAmount = 0
    socket.notify()
    expect(ws.sent.map((s) => s.frame)).toEqual(['lifecycle', 'a', 'b', 'c'])
  })

  it('pauses mid-queue and continues when a write completes', () => {
    const queue = new EventQueue(10)
    const { ws, socket } = open(queue)
    for (const f of ['a', 'b', 'c']) queue.push(f)
    ws.send = (frame: string, done?: (error?: Error) => void) => {
      ws.sent.push(done ? { frame, done } : { frame })
      ws.bufferedAmount += 60
    }
    socket.notify()
    expect(ws.sent.map((s) => s.frame)).toEqual(['lifecycle', 'a', 'b'])
    ws.bufferedAmount = 0
    ws.sent[2]?.done?.()
    expect(ws.sent.map((s) => s.frame)).toEqual(['lifecycle', 'a', 'b', 'c'])
  })
})

describe('EventQueue', () => {
  it('drops the oldest frame when full and reports it', () => {
    const queue = new EventQueue(2)
    expect([queue.push('1'), queue.push('2'), queue.push('3')]).toEqual([0, 0, 1])
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['2', '3', undefined])
  })
})
