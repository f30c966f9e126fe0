/**
 * parseKookEvent checks the envelope by hand for speed; the zod schemas in kook-event.ts are the
 * reference definition and the source of the exported types. These tests hold the two together: for
 * any input, the parser accepts exactly what the reference schemas accept, and the event it normalises
 * in place equals what the schemas would have produced, so the types never describe a shape the parser
 * does not deliver. Both also have to survive arbitrary JSON without throwing.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import {
  kookChallengeEventSchema,
  kookMessageEventSchema,
  kookSystemEventSchema,
} from '../../../src/kook/wire/kook-event.js'
import {
  type KookScopedBodies,
  kookSystemBodies,
  kookSystemEventAliases,
} from '../../../src/kook/wire/kook-system-bodies.js'
import { parseKookEvent } from '../../../src/kook/wire/parse-kook-event.js'
import { kookFixtureEvent, kookFixtureFiles } from './kook-fixtures.js'

type Json = Record<string, unknown>
const rows: Readonly<Record<string, z.ZodType | KookScopedBodies>> = kookSystemBodies
const aliases: Readonly<Record<string, string>> = kookSystemEventAliases

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What the schemas alone say about `d`: accepted or not, and the normalised value. */
function reference(d: unknown): { ok: boolean; value?: unknown } {
  if (isObject(d) && d['channel_type'] === 'WEBHOOK_CHALLENGE') {
    const challenge = kookChallengeEventSchema.safeParse(d)
    return { ok: challenge.success, value: challenge.data }
  }
  const system = kookSystemEventSchema.safeParse(d)
  if (system.success) {
    const sent = system.data.extra.type
    const name = Object.hasOwn(aliases, sent) ? aliases[sent]! : sent
    const row = Object.hasOwn(rows, name) ? rows[name] : undefined
    if (row === undefined) return { ok: true, value: system.data }
    const schema = 'PERSON' in row ? (system.data.channel_type === 'PERSON' ? row.PERSON : row.GROUP) : row
    const body = schema.safeParse(system.data.extra.body)
    if (!body.success) return { ok: false }
    return { ok: true, value: { ...system.data, extra: { ...system.data.extra, body: body.data } } }
  }
  const message = kookMessageEventSchema.safeParse(d)
  return { ok: message.success, value: message.data }
}

const FIELDS = [
  'channel_type',
  'type',
  'target_id',
  'author_id',
  'msg_id',
  'msg_timestamp',
  'nonce',
  'verify_token',
  'extra',
  'content',
  'challenge',
  'extra.type',
  'extra.author',
  'extra.author.id',
  'extra.mention',
  'extra.mention_all',
  'extra.mention_roles',
  'extra.nav_channels',
  'extra.attachments',
  'extra.quote',
  'extra.kmarkdown',
  'extra.body',
  'extra.body.id',
  'extra.body.user_id',
  'extra.body.is_category',
  'extra.body.type',
  'extra.body.mention',
  'extra.body.deleted_at',
] as const

const DELETE = Symbol('delete')

/** Values KOOK sends somewhere, wrong types, and arbitrary JSON. */
const values = fc.oneof(
  fc.constantFrom<unknown>(
    DELETE,
    null,
    0,
    1,
    9,
    12,
    255,
    1.5,
    -3,
    '',
    '12',
    '-5',
    '1612703779612',
    'GROUP',
    'PERSON',
    'BROADCAST',
    'WEBHOOK_CHALLENGE',
    'joined_guild',
    'deleted_emoji',
    'updated_guild',
    'constructor',
    true,
    [],
    {},
    [1, '2'],
    { id: 1 },
    { type: 'item', data: { item_id: '7' } },
    // Spellings KOOK mixes, which the parser must normalise exactly as the schemas do.
    2418239356,
    [1875604312, '2418239356'],
    ['702', 109472],
    { id: 2418239356, username: 'Bob', roles: ['702'] },
    { type: 'image', url: 'https://img.kookapp.cn/a.png', size: 3 },
    [{ type: 'audio', url: 'https://img.kookapp.cn/a.m4a' }],
    { id: 'q', rong_id: 17, author: { id: 5 } },
    { raw_content: 'x', mention_part: [{ id: 5 }], mention_role_part: [{ role_id: '9' }] },
  ),
  fc.jsonValue(),
)

function mutate(d: Json, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop()!
  let target = d
  for (const key of keys) {
    const inner = target[key]
    if (!isObject(inner)) return
    target = inner
  }
  if (value === DELETE) delete target[last]
  // A copy: fast-check hands the same constant object to many runs, and parsing writes into events.
  else target[last] = structuredClone(value)
}

const fixtures = kookFixtureFiles()

describe('parseKookEvent agrees with the reference schemas', () => {
  it('on every fixture, including the normalised value', () => {
    for (const file of fixtures) {
      const d = kookFixtureEvent(file)
      const expected = reference(structuredClone(d))
      const result = parseKookEvent(d)
      expect(result.ok, file).toBe(true)
      expect(expected.ok, file).toBe(true)
      expect(d, file).toEqual(expected.value)
    }
  })

  it('on fixtures with up to three fields replaced by odd values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.constantFrom(...FIELDS), values), { minLength: 1, maxLength: 3 }),
        (file, mutations) => {
          const d = kookFixtureEvent(file)
          for (const [path, value] of mutations) mutate(d, path, value)
          const expected = reference(structuredClone(d))
          const result = parseKookEvent(d)
          expect(result.ok).toBe(expected.ok)
          if (result.ok && result.kind !== 'challenge') expect(d).toEqual(expected.value)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = parseKookEvent(input)
        expect(typeof result.ok).toBe('boolean')
        expect(reference(input).ok).toBe(result.ok)
      }),
      { numRuns: 1000 },
    )
  })
})
