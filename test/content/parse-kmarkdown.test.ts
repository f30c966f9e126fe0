import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseKmarkdown, parseKmarkdownGeneral } from '../../src/content/parse-kmarkdown.js'
import { renderKmarkdown } from '../../src/content/render-kmarkdown.js'
import type { Element } from '../../src/model/element.js'

describe('parseKmarkdown', () => {
  it('turns KOOK tags into mentions and emoji, naming them from the kmarkdown parts', () => {
    const parts = {
      mention_part: [{ id: '1875604312', username: '爱丽丝' }],
      mention_role_part: [{ role_id: 2581, name: '管理员' }],
      channel_part: [{ id: '45823170298430617', name: '公告' }],
    }
    expect(
      parseKmarkdown(
        '(met)1875604312(met) 看 (rol)2581(rol) 在 (chn)45823170298430617(chn) (emj)doge(emj)[3987/Xb7k]',
        parts,
      ),
    ).toEqual([
      { type: 'mention', kind: 'user', id: '1875604312', name: '爱丽丝' },
      { type: 'text', text: ' 看 ' },
      { type: 'mention', kind: 'role', id: '2581', name: '管理员' },
      { type: 'text', text: ' 在 ' },
      { type: 'mention', kind: 'channel', id: '45823170298430617', name: '公告' },
      { type: 'text', text: ' ' },
      { type: 'emoji', kind: 'guild', id: '3987/Xb7k', name: 'doge' },
    ])
  })

  it('reads (met)all(met) and (met)here(met) as @all and @here', () => {
    expect(parseKmarkdown('(met)all(met)(met)here(met)')).toEqual([
      { type: 'mention', kind: 'all' },
      { type: 'mention', kind: 'here' },
    ])
  })

  it('drops the backslashes the KOOK client puts before punctuation, so commands arrive as typed', () => {
    expect(parseKmarkdown('/ban \\-\\-days 3 \\[spam\\] C:\\\\tmp')).toEqual([
      { type: 'text', text: '/ban --days 3 [spam] C:\\tmp' },
    ])
  })

  it('keeps a backslash that escapes nothing', () => {
    expect(parseKmarkdown('a\\b\\中')).toEqual([{ type: 'text', text: 'a\\b\\中' }])
  })

  it('keeps code spans and fenced blocks verbatim, tags and escapes included', () => {
    const text = 'run `(met)1(met) \\-x` then\n```js\nconst a = "(rol)2(rol)"\n```'
    expect(parseKmarkdown(text)).toEqual([{ type: 'text', text }])
  })

  it('turns links into their URL, or label (url) when the label differs', () => {
    expect(
      parseKmarkdown('[https://kookapp.cn](https://kookapp.cn) and [docs](https://developer.kookapp.cn/doc)'),
    ).toEqual([{ type: 'text', text: 'https://kookapp.cn and docs (https://developer.kookapp.cn/doc)' }])
  })

  it('leaves formatting marks as typed (the model has no formatting elements)', () => {
    expect(parseKmarkdown('**bold** ~~gone~~ (spl)secret(spl)')).toEqual([
      { type: 'text', text: '**bold** ~~gone~~ (spl)secret(spl)' },
    ])
  })

  it('treats broken tags as text', () => {
    expect(parseKmarkdown('(met)(met) (met)12 34(met) (emj)x(emj) (rol)1')).toEqual([
      { type: 'text', text: '(met)(met) (met)12 34(met) (emj)x(emj) (rol)1' },
    ])
  })

  it('never throws, whatever the input', () => {
    const tokens = [
      '(met)',
      '(rol)',
      '(chn)',
      '(emj)',
      '[',
      ']',
      '(',
      ')',
      '\\',
      '`',
      '```',
      'all',
      '1',
      'a',
      '\n',
      '](http://x',
      ' ',
    ]
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.array(fc.constantFrom(...tokens)).map((a) => a.join('')),
        ),
        (s) => {
          const out = parseKmarkdown(s)
          expect(Array.isArray(out)).toBe(true)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('gives the same elements on its fast path (tags only) as the general parser', () => {
    // Mentions are named from the parts, role ids compared as numbers: the ids here include leading
    // zeros, long ids and non-digits so every comparison rule is crossed.
    const parts = {
      mention_part: [{ id: '12', username: 'amy' }],
      mention_role_part: [
        { role_id: 12, name: 'mods' },
        { role_id: 7, name: 'seven' },
      ],
      channel_part: [{ id: '12', name: 'general' }],
    }
    const tokens = ['(met)', '(rol)', '(chn)', '(emj)', '(', ')', '[', ']', '\\', '`', '12', '0', '007']
    tokens.push('all', 'here', 'a b', '收到', 'x', '123456789012345678', '(met)1(met)', '[1/2]', '\n')
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...tokens), { maxLength: 30 }).map((a) => a.join('')),
        (text) => {
          expect(parseKmarkdown(text, parts)).toEqual(parseKmarkdownGeneral(text, parts))
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('stays linear on pathological input (many unclosed openers)', () => {
    const hostile =
      '(met)x'.repeat(20_000) + '`'.repeat(5_000) + '[a'.repeat(20_000) + '(emj)a(emj)['.repeat(20_000)
    const started = performance.now()
    parseKmarkdown(hostile)
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

/** Adjacent texts merged, empty ones dropped: two element lists that read the same compare equal. */
function normalize(elements: readonly Element[]): Element[] {
  const out: Element[] = []
  for (const el of elements) {
    const e: Element = el.type === 'emoji' && el.kind === 'unicode' ? { type: 'text', text: el.id } : el
    if (e.type === 'text' && e.text === '') continue
    const last = out[out.length - 1]
    if (e.type === 'text' && last?.type === 'text')
      out[out.length - 1] = { type: 'text', text: last.text + e.text }
    else out.push(e)
  }
  return out
}

const specialChars = [
  '\\',
  '*',
  '~',
  '`',
  '(',
  ')',
  '[',
  ']',
  '>',
  '-',
  ':',
  '_',
  '#',
  '@',
  '!',
  '.',
  '\n',
  ' ',
  'met',
  'rol',
  'emj',
  'all',
]
const text = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...specialChars) }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom('a', '全', '😀', '👍🏽', '(', ')', '\\', '`') }),
  )
  .map((t): Element => ({ type: 'text', text: t }))
const id = fc.stringMatching(/^[0-9]{1,17}$/)
const mention = fc.oneof(
  id.map((i): Element => ({ type: 'mention', kind: 'user', id: i })),
  id.map((i): Element => ({ type: 'mention', kind: 'role', id: i })),
  id.map((i): Element => ({ type: 'mention', kind: 'channel', id: i })),
  fc.constantFrom<Element>({ type: 'mention', kind: 'all' }, { type: 'mention', kind: 'here' }),
)
const emoji = fc.oneof(
  fc
    .tuple(id, fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9_ 一-龥]{1,16}$/))
    .map(([g, code, name]): Element => ({ type: 'emoji', kind: 'guild', id: `${g}/${code}`, name })),
  fc.constantFrom<Element>(
    { type: 'emoji', kind: 'unicode', id: '😀' },
    { type: 'emoji', kind: 'unicode', id: '❤️' },
  ),
)

describe('renderKmarkdown then parseKmarkdown', () => {
  it('gives back the same elements for text with special characters, mentions and emoji', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(text, mention, emoji), { maxLength: 12 }), (elements) => {
        expect(normalize(parseKmarkdown(renderKmarkdown(elements)))).toEqual(normalize(elements))
      }),
      { numRuns: 3000 },
    )
  })
})
