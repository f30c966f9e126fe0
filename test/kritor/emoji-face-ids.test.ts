import { describe, expect, it } from 'vitest'
import { EmojiFaceIds, REGISTRY_BASE } from '../../src/kritor/emoji-face-ids.js'

describe('EmojiFaceIds', () => {
  it('numbers a single-code-point emoji by its code point, in KOOK’s [#n;] form or raw', () => {
    const ids = new EmojiFaceIds()
    expect(ids.faceIdOf('[#128077;]')).toBe(128077)
    expect(ids.faceIdOf('👍')).toBe(128077)
    expect(ids.emojiOf(128077)).toBe('👍')
  })

  it('gives guild emoji and sequences registry numbers above unicode, and maps them back', () => {
    const ids = new EmojiFaceIds()
    const guild = ids.faceIdOf('3987615236490215/Xb7kPq2m3w')
    const flag = ids.faceIdOf('[#127464;][#127475;]')
    expect(guild).toBe(REGISTRY_BASE)
    expect(flag).toBe(REGISTRY_BASE + 1)
    expect(ids.faceIdOf('3987615236490215/Xb7kPq2m3w')).toBe(guild)
    expect(ids.emojiOf(guild)).toBe('3987615236490215/Xb7kPq2m3w')
    expect(ids.emojiOf(flag)).toBe('🇨🇳')
  })

  it('refuses QQ face ids and forgotten registry numbers', () => {
    const ids = new EmojiFaceIds({ capacity: 1 })
    expect(() => ids.emojiOf(76)).toThrow(/face_id 76 is not an emoji/)
    const first = ids.faceIdOf('1/a')
    ids.faceIdOf('1/b')
    expect(() => ids.emojiOf(first)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
  })
})
