import { describe, expect, it } from 'vitest'
import { formatExpression, parseExpression } from '../../src/mapping/parse-expression.js'

function ok(source: string) {
  const r = parseExpression(source)
  if (!r.ok) throw new Error(`expected ${source} to parse: ${r.message}`)
  return r.expr
}

describe('parseExpression', () => {
  it('reads paths, array indexes, calls, coalescing, refs, specials and literals', () => {
    expect(ok('extra.body.user_id')).toEqual({
      kind: 'path',
      root: 'event',
      segments: ['extra', 'body', 'user_id'],
    })
    expect(ok('extra.body.0.id')).toEqual({
      kind: 'path',
      root: 'event',
      segments: ['extra', 'body', 0, 'id'],
    })
    expect(ok('withReply(extra.quote, kmarkdown(content, extra.kmarkdown))')).toMatchObject({
      kind: 'call',
      name: 'withReply',
      args: [{ kind: 'path' }, { kind: 'call', name: 'kmarkdown' }],
    })
    expect(ok('extra.body.user_id ?? extra.body.id ?? null')).toMatchObject({
      kind: 'coalesce',
      options: [{}, {}, { kind: 'literal', value: null }],
    })
    expect(ok('textOf(@elements)')).toEqual({
      kind: 'call',
      name: 'textOf',
      args: [{ kind: 'ref', name: 'elements' }],
    })
    expect(ok('$item.id')).toEqual({ kind: 'path', root: 'item', segments: ['id'] })
    expect(ok("join(msg_id, ':', $index)")).toMatchObject({
      args: [{}, { kind: 'literal', value: ':' }, { kind: 'index' }],
    })
    expect(ok('$selfId')).toEqual({ kind: 'selfId' })
    expect(ok('"it\\"s"')).toEqual({ kind: 'literal', value: 'it"s' })
    expect(ok('-1.5')).toEqual({ kind: 'literal', value: -1.5 })
    expect(ok(' ( true ) ')).toEqual({ kind: 'literal', value: true })
    expect(ok('f()')).toEqual({ kind: 'call', name: 'f', args: [] })
  })

  it('round-trips through formatExpression', () => {
    for (const s of ["a.b ?? f(c, 'x', 1, $item.d, @e)", '$index', 'true'])
      expect(formatExpression(ok(s))).toBe(s)
  })

  it('reports syntax errors with a column and never throws', () => {
    const cases: Array<[string, RegExp, number]> = [
      ['extra.', /field name or an array index/, 7],
      ['f(a b)', /expected "," or "\)"/, 5],
      ["'open", /unterminated string/, 1],
      ['$nope', /unknown special name "\$nope"/, 1],
      ['a.__proto__.b', /"__proto__" is not allowed/, 3],
      ['constructor', /"constructor" is not allowed/, 1],
      ['a ?? ', /expected a value/, 6],
      ['a b', /unexpected "b" after the expression/, 3],
      ['#', /unexpected "#"/, 1],
    ]
    for (const [source, message, column] of cases) {
      const r = parseExpression(source)
      expect(r.ok, source).toBe(false)
      if (!r.ok) {
        expect(r.message, source).toMatch(message)
        expect(r.column, source).toBe(column)
      }
    }
  })
})
