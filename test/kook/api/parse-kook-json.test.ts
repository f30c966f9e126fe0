import { describe, expect, it } from 'vitest'
import { parseKookJson } from '../../../src/kook/api/parse-kook-json.js'

describe('parseKookJson', () => {
  it('reads integers beyond 2^53 as their exact digits', () => {
    expect(
      parseKookJson('{"channel_id":48818200000000001,"ids":[9007199254740993,-9007199254740993]}'),
    ).toEqual({
      channel_id: '48818200000000001',
      ids: ['9007199254740993', '-9007199254740993'],
    })
  })

  it('keeps safe integers, fractions and exponents as numbers', () => {
    expect(
      parseKookJson(
        '{"ts":1612685332518,"max":9007199254740991,"d":15.472,"big":1234567890123456789.5,"e":1e21}',
      ),
    ).toEqual({
      ts: 1612685332518,
      max: 9007199254740991,
      d: 15.472,
      big: Number('1234567890123456789.5'),
      e: 1e21,
    })
  })

  it('never touches digits inside strings, escaped quotes included', () => {
    const text = '{"a":"x\\"48818200000000001\\"","48818200000000002":1,"b":"\\\\","c":48818200000000003}'
    expect(parseKookJson(text)).toEqual({
      a: 'x"48818200000000001"',
      '48818200000000002': 1,
      b: '\\',
      c: '48818200000000003',
    })
  })

  it('throws on text that is not JSON', () => {
    expect(() => parseKookJson('<html>')).toThrow(SyntaxError)
  })
})
