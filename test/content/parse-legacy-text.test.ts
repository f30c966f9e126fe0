import { describe, expect, it } from 'vitest'
import { parseLegacyText } from '../../src/content/parse-legacy-text.js'

describe('parseLegacyText', () => {
  it('reads the legacy mention, role, channel, all/here and emoji syntax', () => {
    expect(
      parseLegacyText(
        '@Bob#2418239356 看 @role:2581; 在 #channel:4588; @全体成员 @在线成员 [:doge:3987/Xb7k]',
        ['2418239356'],
      ),
    ).toEqual([
      { type: 'mention', kind: 'user', id: '2418239356', name: 'Bob' },
      { type: 'text', text: ' 看 ' },
      { type: 'mention', kind: 'role', id: '2581' },
      { type: 'text', text: ' 在 ' },
      { type: 'mention', kind: 'channel', id: '4588' },
      { type: 'text', text: ' ' },
      { type: 'mention', kind: 'all' },
      { type: 'text', text: ' ' },
      { type: 'mention', kind: 'here' },
      { type: 'text', text: ' ' },
      { type: 'emoji', kind: 'guild', id: '3987/Xb7k', name: 'doge' },
    ])
  })

  it('leaves @name#digits alone when KOOK did not list the id as mentioned', () => {
    expect(parseLegacyText('issue @repo#123 fixed', [])).toEqual([
      { type: 'text', text: 'issue @repo#123 fixed' },
    ])
  })

  it('keeps plain text as one element, without unescaping (type 1 has no escapes)', () => {
    expect(parseLegacyText('a \\* b')).toEqual([{ type: 'text', text: 'a \\* b' }])
  })
})
