import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeFrame, FrameError } from '../../../src/kook/ingress/decode-frame.js'

const event = { s: 0, sn: 7, d: { type: 9, msg_id: 'abc', content: '你好' } }

describe('decodeFrame', () => {
  it('reads a text frame (compress=0)', () => {
    expect(decodeFrame(Buffer.from(JSON.stringify(event)), false)).toEqual(event)
  })

  it('inflates each binary frame as its own zlib stream (compress=1)', () => {
    const a = deflateSync(JSON.stringify(event))
    const b = deflateSync(JSON.stringify({ s: 3 }))
    expect(decodeFrame(a, true)).toEqual(event)
    expect(decodeFrame(b, true)).toEqual({ s: 3 })
    expect(decodeFrame(a, true)).toEqual(event) // no state carried between frames
  })

  it('inflates a frame far larger than one inflate chunk, multi-byte text intact', () => {
    // A card message can inflate to tens of KB: many output chunks, split inside UTF-8 sequences.
    const big = { s: 0, sn: 8, d: { type: 10, msg_id: 'big', content: '卡片内容 🃏 '.repeat(5_000) } }
    expect(decodeFrame(deflateSync(JSON.stringify(big)), true)).toEqual(big)
  })

  it('accepts uncompressed JSON sent as a binary frame', () => {
    expect(decodeFrame(Buffer.from('{"s":3}'), true)).toEqual({ s: 3 })
  })

  it('treats null d and sn as absent', () => {
    expect(decodeFrame(Buffer.from('{"s":3,"d":null,"sn":null}'), false)).toEqual({ s: 3 })
  })

  it.each([
    ['not zlib', Buffer.from([0x78, 0x9c, 0xff, 0x00]), true, 'inflate'],
    ['not JSON', Buffer.from('{"s":'), false, 'json'],
    ['inflates to garbage', deflateSync('hello'), true, 'json'],
    ['an array', Buffer.from('[1,2]'), false, 'shape'],
    ['no s', Buffer.from('{"d":{}}'), false, 'shape'],
    ['a string s', Buffer.from('{"s":"0"}'), false, 'shape'],
    ['an array d', Buffer.from('{"s":0,"d":[],"sn":1}'), false, 'shape'],
    ['a negative sn', Buffer.from('{"s":0,"d":{},"sn":-1}'), false, 'shape'],
  ])('returns (never throws) a FrameError for %s', (_name, data, binary, problem) => {
    const result = decodeFrame(data, binary)
    expect(result).toBeInstanceOf(FrameError)
    expect((result as FrameError).problem).toBe(problem)
    expect((result as FrameError).code).toBe('GATEWAY')
  })
})
