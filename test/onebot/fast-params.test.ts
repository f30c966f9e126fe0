import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ACTIONS, type ActionRow } from '../../src/onebot/actions.js'
import { compileFastParams, UNSURE } from '../../src/onebot/fast-params.js'

/** Values every param block may meet: valid ids, numeric strings, booleans in all spellings, junk. */
const VALUES: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  0,
  1,
  -1,
  1.5,
  Number.NaN,
  2 ** 53,
  123456,
  '123456',
  ' 42 ',
  '0042',
  '12a',
  'abc',
  '0',
  '1',
  'true',
  'false',
  'yes',
  'no',
  'TRUE',
  true,
  false,
  'private',
  'group',
  '11111111-0000-4000-8000-000000000001',
  'x'.repeat(60),
  [],
  [{ type: 'text', data: { text: 'hi' } }],
  {},
  { a: 1 },
  'hello [CQ:face,id=1]',
]

/** Deterministic pseudo-random params for one row: each declared key absent or given a VALUES entry. */
function* paramsFor(keys: readonly string[], seed: number): Generator<Record<string, unknown>> {
  let state = seed
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff
    return state
  }
  for (let n = 0; n < 400; n++) {
    const params: Record<string, unknown> = {}
    for (const key of keys) {
      const pick = next() % (VALUES.length + 3)
      if (pick < VALUES.length) params[key] = VALUES[pick]
      // else: absent
    }
    if (next() % 4 === 0) params['extra'] = 'stripped'
    yield params
  }
  // Every key valid-looking and each key alone, with every value.
  for (const key of keys) for (const value of VALUES) yield { [key]: value }
}

function shapeKeys(row: ActionRow<unknown>): string[] {
  const def = (row.params as unknown as { _zod: { def: { shape?: Record<string, unknown> } } })._zod.def
  return Object.keys(def.shape ?? {})
}

describe('fast action params', () => {
  it('covers every row of the table (all use the action-params blocks)', () => {
    for (const [name, row] of Object.entries(ACTIONS)) {
      expect(row.fastParams, name).toBeTypeOf('function')
    }
  })

  it("gives zod's exact output for valid params, and UNSURE whenever zod refuses", () => {
    let sure = 0
    let refused = 0
    for (const [name, row] of Object.entries(ACTIONS) as Array<[string, ActionRow<unknown>]>) {
      const keys = shapeKeys(row)
      for (const params of paramsFor(keys, name.length)) {
        const zod = row.params.safeParse(params)
        const fast = row.fastParams?.(params)
        if (!zod.success) {
          expect(fast, `${name} ${JSON.stringify(params)}`).toBe(UNSURE)
          refused++
          continue
        }
        expect(fast, `${name} ${JSON.stringify(params)}`).not.toBe(UNSURE)
        // Same keys in the same order (an own `undefined` included), same values.
        expect(Reflect.ownKeys(fast as object)).toEqual(Reflect.ownKeys(zod.data as object))
        expect(fast).toStrictEqual(zod.data)
        sure++
      }
    }
    // Both branches were really exercised.
    expect(sure).toBeGreaterThan(500)
    expect(refused).toBeGreaterThan(500)
  })

  it('Karin’s send_group_msg shape takes the fast path', () => {
    const params = { group_id: '123456', message: [{ type: 'text', data: { text: 'pong' } }] }
    expect(ACTIONS.send_group_msg.fastParams?.(params)).toStrictEqual({
      group_id: '123456',
      message: params.message,
      auto_escape: false,
    })
  })

  it('leaves schemas of any other form to zod', () => {
    expect(compileFastParams(z.object({ a: z.string() }))).toBeUndefined()
    expect(compileFastParams(z.looseObject({}))).toBeUndefined()
    expect(compileFastParams(z.object({}).refine(() => true))).toBeUndefined()
    expect(
      compileFastParams(
        z.object({
          a: z
            .unknown()
            .optional()
            .transform((v) => v)
            .refine(() => false),
        }),
      ),
    ).toBeUndefined()
    expect(compileFastParams(z.string())).toBeUndefined()
  })
})
