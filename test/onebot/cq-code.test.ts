import { describe, expect, it } from 'vitest'
import { decodeCq, encodeCq, escapeCqParam, escapeCqText, unescapeCq } from '../../src/onebot/cq-code.js'
import type { Segment } from '../../src/onebot/types.js'

describe('CQ codes', () => {
  it('escapes & [ ] in text, and also , in parameter values', () => {
    expect(escapeCqText('a&b[c],d')).toBe('a&amp;b&#91;c&#93;,d')
    expect(escapeCqParam('a&b[c],d')).toBe('a&amp;b&#91;c&#93;&#44;d')
  })

  it('decodes &amp; last, so an escaped entity stays literal', () => {
    expect(unescapeCq('&amp;#91;')).toBe('&#91;')
    expect(unescapeCq('&#91;&#93;&#44;&amp;')).toBe('[],&')
  })

  it('round-trips segments whose text and values hold every special character', () => {
    const segments: Segment[] = [
      { type: 'text', data: { text: 'see [CQ:at,qq=1] & more, ok &amp; ' } },
      { type: 'at', data: { qq: '2418200000', name: 'A,l[i]ce&=' } },
      { type: 'image', data: { file: 'base64://aGVsbG8=', url: 'https://x/y?a=1&b=2' } },
      { type: 'text', data: { text: ']' } },
    ]
    const cq = encodeCq(segments)
    expect(cq).toBe(
      'see &#91;CQ:at,qq=1&#93; &amp; more, ok &amp;amp; ' +
        '[CQ:at,qq=2418200000,name=A&#44;l&#91;i&#93;ce&amp;=]' +
        '[CQ:image,file=base64://aGVsbG8=,url=https://x/y?a=1&amp;b=2]&#93;',
    )
    expect(decodeCq(cq)).toEqual(segments)
  })

  it('writes text segments as bare text, never [CQ:text]', () => {
    expect(encodeCq([{ type: 'text', data: { text: 'hi' } }])).toBe('hi')
  })

  it('splits parameters at the first = only (base64 padding survives)', () => {
    expect(decodeCq('[CQ:image,file=base64://YQ==]')).toEqual([
      { type: 'image', data: { file: 'base64://YQ==' } },
    ])
  })

  it('keeps an unterminated or nameless code as text', () => {
    expect(decodeCq('a [CQ:at,qq=1')).toEqual([{ type: 'text', data: { text: 'a [CQ:at,qq=1' } }])
    expect(decodeCq('x[CQ:]y')).toEqual([{ type: 'text', data: { text: 'x[CQ:]y' } }])
  })

  it('parses codes between texts, in order', () => {
    expect(decodeCq('[CQ:reply,id=7]hi [CQ:at,qq=all] !')).toEqual([
      { type: 'reply', data: { id: '7' } },
      { type: 'text', data: { text: 'hi ' } },
      { type: 'at', data: { qq: 'all' } },
      { type: 'text', data: { text: ' !' } },
    ])
  })
})
