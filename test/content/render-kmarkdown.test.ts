import { describe, expect, it } from 'vitest'
import { escapeKmarkdown, renderKmarkdown } from '../../src/content/render-kmarkdown.js'

describe('escapeKmarkdown', () => {
  it('escapes exactly the characters KMarkdown reads as syntax', () => {
    expect(escapeKmarkdown('\\*~`()[]>-:')).toBe('\\\\\\*\\~\\`\\(\\)\\[\\]\\>\\-\\:')
  })

  it('never escapes _ or # (KOOK would show the backslash, satori#51)', () => {
    expect(escapeKmarkdown('snake_case #general 100% ok!')).toBe('snake_case #general 100% ok!')
  })
})

describe('renderKmarkdown', () => {
  it('writes mentions and emoji as KOOK tags and text escaped', () => {
    expect(
      renderKmarkdown([
        { type: 'mention', kind: 'user', id: '1875604312' },
        { type: 'text', text: ' see (docs): ' },
        { type: 'mention', kind: 'role', id: '2581' },
        { type: 'mention', kind: 'channel', id: '4588' },
        { type: 'mention', kind: 'all' },
        { type: 'mention', kind: 'here' },
        { type: 'emoji', kind: 'guild', id: '3987/Xb7k', name: 'doge' },
        { type: 'emoji', kind: 'unicode', id: '👍' },
      ]),
    ).toBe(
      '(met)1875604312(met) see \\(docs\\)\\: (rol)2581(rol)(chn)4588(chn)(met)all(met)(met)here(met)(emj)doge(emj)[3987/Xb7k]👍',
    )
  })

  it('names a guild emoji after its code when it has no name (KOOK needs one)', () => {
    expect(renderKmarkdown([{ type: 'emoji', kind: 'guild', id: '3987/Xb7k' }])).toBe(
      '(emj)Xb7k(emj)[3987/Xb7k]',
    )
  })

  it('passes raw KMarkdown through and skips what KMarkdown cannot carry', () => {
    expect(
      renderKmarkdown([
        { type: 'reply', messageId: 'm1' },
        { type: 'kmarkdown', content: '**bold**' },
        { type: 'image', url: 'https://img.kookapp.cn/a.png' },
      ]),
    ).toBe('**bold**')
  })
})
