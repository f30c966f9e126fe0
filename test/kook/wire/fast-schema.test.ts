/**
 * The fast checks (src/kook/wire/fast-schema.ts) must give zod's exact output whenever they answer,
 * and answer for the shapes KOOK actually sends (that is the point of them). Checked against zod
 * itself on every fixture, on every example event of the seed documents (../shared/seeds, when
 * present), and on generated variants of both: key order included, input never touched.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { compileFastCheck, type FastCheck, UNSURE } from '../../../src/kook/wire/fast-schema.js'
import { kookItemContentSchema } from '../../../src/kook/wire/kook-item-content.js'
import { kookMessageExtraSchema } from '../../../src/kook/wire/kook-message-extra.js'
import {
  type KookScopedBodies,
  kookSystemBodies,
  kookSystemEventAliases,
} from '../../../src/kook/wire/kook-system-bodies.js'
import { parseKookEvent } from '../../../src/kook/wire/parse-kook-event.js'
import { kookFixtureEvent, kookFixtureFiles } from './kook-fixtures.js'

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const SEED_DIR = fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url))

/** Every `{...}` in a text that parses as JSON and is an event frame (`s: 0` with a `d` object). */
function seedFrames(text: string): Json[] {
  const frames: Json[] = []
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    let depth = 0
    let inString = false
    for (let i = start; i < text.length; i++) {
      const c = text[i]
      if (inString) {
        if (c === '\\') i++
        else if (c === '"') inString = false
      } else if (c === '"') inString = true
      else if (c === '{') depth++
      else if (c === '}' && --depth === 0) {
        try {
          const value: unknown = JSON.parse(text.slice(start, i + 1))
          if (isObject(value) && value['s'] === 0 && isObject(value['d'])) frames.push(value['d'])
        } catch {
          // Prose that happens to contain braces.
        }
        break
      }
    }
  }
  return frames
}

const seedEvents: Array<{ name: string; d: Json }> = existsSync(SEED_DIR)
  ? readdirSync(SEED_DIR)
      .sort()
      .flatMap((file) =>
        seedFrames(readFileSync(`${SEED_DIR}${file}`, 'utf8')).map((d, i) => ({ name: `${file}#${i}`, d })),
      )
  : []

const fixtureEvents = kookFixtureFiles().map((file) => ({ name: file, d: kookFixtureEvent(file) }))

const rows: Readonly<Record<string, z.ZodType | KookScopedBodies>> = kookSystemBodies
const aliases: Readonly<Record<string, string>> = kookSystemEventAliases
const compiled = new Map<z.ZodType, FastCheck | undefined>()
const closures = new Map<z.ZodType, FastCheck | undefined>()
/** The generated checks (what the parser uses). */
function fastOf(schema: z.ZodType): FastCheck | undefined {
  if (!compiled.has(schema)) compiled.set(schema, compileFastCheck(schema))
  return compiled.get(schema)
}
/** The closure fallback (where code generation is disallowed): held to the same contract. */
function closureOf(schema: z.ZodType): FastCheck | undefined {
  if (!closures.has(schema)) closures.set(schema, compileFastCheck(schema, { codegen: false }))
  return closures.get(schema)
}

interface Sample {
  name: string
  /** The sub-object of the event the parser validates with one schema. */
  value: unknown
  schema: z.ZodType
  /** The body row has a refinement: no fast path, by design. */
  refined: boolean
}

/** The schema-checked parts of an event, chosen as parseKookEvent chooses them. */
function samplesOf(label: string, d: Json): Sample[] {
  const extra = d['extra']
  if (!isObject(extra)) return []
  if (d['type'] === 255) {
    const sent = extra['type']
    if (typeof sent !== 'string') return []
    const name = Object.hasOwn(aliases, sent) ? (aliases[sent] as string) : sent
    const row = Object.hasOwn(rows, name) ? rows[name] : undefined
    if (row === undefined) return []
    const schema = 'PERSON' in row ? (d['channel_type'] === 'PERSON' ? row.PERSON : row.GROUP) : row
    return [{ name: `${label} body`, value: extra['body'], schema, refined: fastOf(schema) === undefined }]
  }
  const samples: Sample[] = [
    { name: `${label} extra`, value: extra, schema: kookMessageExtraSchema, refined: false },
  ]
  if (isObject(d['content'])) {
    samples.push({
      name: `${label} content`,
      value: d['content'],
      schema: kookItemContentSchema,
      refined: false,
    })
  }
  return samples
}

const samples = [...fixtureEvents, ...seedEvents].flatMap(({ name, d }) => samplesOf(name, d))

/**
 * Runs zod and both forms of the fast check on copies; returns whether the fast check answered.
 * Fails on any disagreement, including between the generated and the closure form.
 */
function compare(sample: { name: string; value: unknown; schema: z.ZodType }): boolean {
  const generated = check(fastOf(sample.schema), sample)
  const closure = check(closureOf(sample.schema), sample)
  expect(closure, `${sample.name}: closure and generated forms answer alike`).toBe(generated)
  return generated
}

function check(
  fast: FastCheck | undefined,
  sample: { name: string; value: unknown; schema: z.ZodType },
): boolean {
  if (fast === undefined) return false
  const input = structuredClone(sample.value)
  const before = JSON.stringify(input)
  const out = fast(input)
  expect(JSON.stringify(input), `${sample.name}: the fast check wrote into its input`).toBe(before)
  if (out === UNSURE) return false
  const reference = sample.schema.safeParse(structuredClone(sample.value))
  if (!reference.success)
    expect.fail(`${sample.name}: fast check accepted what zod refuses: ${reference.error}`)
  expect(out, sample.name).toStrictEqual(reference.data)
  // toStrictEqual ignores key order; downstream serialises these objects, so order is output too.
  expect(JSON.stringify(out), sample.name).toBe(JSON.stringify(reference.data))
  return true
}

describe('compileFastCheck', () => {
  it('finds the seed documents and every fixture', () => {
    expect(fixtureEvents.length).toBeGreaterThan(50)
    if (existsSync(SEED_DIR)) expect(seedEvents.length).toBeGreaterThan(20)
  })

  it('gives zod’s exact output, and answers for every fixture and seed example', () => {
    const unanswered: string[] = []
    for (const sample of samples) {
      if (!compare(sample) && !sample.refined) unanswered.push(sample.name)
    }
    expect(unanswered).toEqual([])
  })

  it('leaves only the refined rows (embeds_append, joined_guild) to zod', () => {
    const refined = Object.entries(rows)
      .filter(([, row]) => ('PERSON' in row ? [row.GROUP, row.PERSON] : [row]).some((s) => !fastOf(s)))
      .map(([name]) => name)
    expect(refined.sort()).toEqual(['embeds_append', 'joined_guild'])
    expect(fastOf(kookMessageExtraSchema)).toBeDefined()
    expect(fastOf(kookItemContentSchema)).toBeDefined()
  })

  it('normalises KOOK’s mixed spellings exactly as zod does', () => {
    const extra = {
      type: 9,
      author: { id: 2418239356, roles: ['702', 3], identify_num: 1234, joined_at: '1612703779612' },
      mention: [1875604312, '2418239356'],
      mention_all: 1,
      mention_here: 0,
      mention_roles: ['702', 109472],
      attachments: [],
      quote: '',
      kmarkdown: { raw_content: 'x', mention_part: [{ id: 5 }], mention_role_part: [{ role_id: '9' }] },
      later: { kept: [1, { as: 'is' }] },
    }
    expect(compare({ name: 'mixed spellings', value: extra, schema: kookMessageExtraSchema })).toBe(true)
    const attachment = { author: { id: '1' }, attachments: [{ type: 'image', url: 'u', size: 3 }], quote: [] }
    expect(compare({ name: 'attachment array', value: attachment, schema: kookMessageExtraSchema })).toBe(
      true,
    )
  })

  it('drops an own __proto__ key as zod does, without touching the prototype', () => {
    const extra = JSON.parse('{"author":{"id":"1","__proto__":{"polluted":1}},"__proto__":{"polluted":2}}')
    expect(compare({ name: '__proto__', value: extra, schema: kookMessageExtraSchema })).toBe(true)
    const fast = fastOf(kookMessageExtraSchema) as FastCheck
    const out = fast(extra) as Json
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(out['author'])).toBe(Object.prototype)
  })

  it('is unsure of every invalid value, so zod reports it', () => {
    const fast = fastOf(kookMessageExtraSchema) as FastCheck
    for (const extra of [
      {},
      { author: null },
      { author: { id: null } },
      { author: { id: '1' }, mention: [null] },
      { author: { id: '1' }, mention_roles: [1.5] },
      { author: { id: '1' }, mention_roles: ['1e3'] },
      { author: { id: '1' }, channel_type: 2 ** 53 },
      { author: { id: '1' }, mention_all: 'yes' },
      { author: { id: '1' }, quote: { id: '1', create_at: 'soon' } },
      { author: { id: '1' }, kmarkdown: { raw_content: 5 } },
      { author: { id: '1' }, attachments: [{ type: 'image' }] },
    ]) {
      expect(fast(extra), JSON.stringify(extra)).toBe(UNSURE)
      expect(kookMessageExtraSchema.safeParse(extra).success, JSON.stringify(extra)).toBe(false)
    }
  })

  it('only compiles what it mirrors: refinements, checks and coercion get no fast path', () => {
    expect(compileFastCheck(z.string().min(1))).toBeUndefined()
    expect(compileFastCheck(z.looseObject({ a: z.string() }).refine(() => true))).toBeUndefined()
    expect(compileFastCheck(z.coerce.number())).toBeUndefined()
    expect(compileFastCheck(z.looseObject({ a: z.string().email() }))).toBeUndefined()
    expect(compileFastCheck(z.object({ a: z.string() }).catchall(z.string()))).toBeUndefined()
    expect(compileFastCheck(z.preprocess((v, ctx) => (ctx ? v : v), z.string()))).toBeUndefined()
    expect(compileFastCheck(z.looseObject({ a: z.string() }))).toBeDefined()
  })

  it('keeps refusals zod’s: field path and message of the first issue', () => {
    const d = kookFixtureEvent('GROUP.text.json')
    ;(d['extra'] as Json)['author'] = { id: null, username: 7 }
    const result = parseKookEvent(d)
    if (result.ok) return expect.fail('accepted a message with a null author id')
    expect(result.field).toBe('extra.author.id')
    expect(result.reason).toContain('extra.author.id: expected an id (string or number), received null')
    expect(result.reason).toContain('extra.author.username: Invalid input: expected string, received number')
  })
})

const DELETE = Symbol('delete')

/** Values KOOK sends somewhere, its odd spellings, wrong types, and arbitrary JSON. */
const values = fc.oneof(
  fc.constantFrom<unknown>(
    DELETE,
    null,
    0,
    1,
    1.5,
    -3,
    2 ** 53,
    '',
    '12',
    '-5',
    '007',
    '1e3',
    '1612703779612',
    '99999999999999999999',
    true,
    false,
    [],
    {},
    [1, '2'],
    [{}],
    { id: 1 },
    { id: '1', extra: { nested: true } },
    { type: 'image', url: 'https://img.kookapp.cn/a.png', size: 3 },
    [{ type: 'audio', url: 'https://img.kookapp.cn/a.m4a' }],
    { id: 'q', rong_id: 17, author: { id: 5 } },
    { raw_content: 'x', mention_part: [{ id: 5 }], mention_role_part: [{ role_id: '9' }] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
)

/** Every path to an object or array member inside `value`, up to `depth` levels. */
function pathsOf(
  value: unknown,
  depth = 4,
  prefix: Array<string | number> = [],
): Array<Array<string | number>> {
  if (depth === 0) return []
  const out: Array<Array<string | number>> = []
  const keys: Array<string | number> = Array.isArray(value)
    ? value.map((_, i) => i)
    : isObject(value)
      ? Object.keys(value)
      : []
  for (const key of keys) {
    const path = [...prefix, key]
    out.push(path)
    out.push(...pathsOf((value as Json)[key as string], depth - 1, path))
  }
  return out
}

function mutate(root: unknown, path: Array<string | number>, value: unknown, extraKey: string): void {
  let target = root as Json
  for (const key of path.slice(0, -1)) target = target[key as string] as Json
  const last = path[path.length - 1] as string
  if (!isObject(target) && !Array.isArray(target)) return
  if (value === DELETE) delete target[last]
  else if (extraKey !== '' && isObject(target[last]))
    (target[last] as Json)[extraKey] = structuredClone(value)
  else target[last] = structuredClone(value)
}

describe('compileFastCheck on generated variants', () => {
  it('never disagrees with zod on fixtures and seed examples with up to four changes', () => {
    let answered = 0
    fc.assert(
      fc.property(
        fc.constantFrom(
          ...samples.filter((s) => !s.refined && (isObject(s.value) || Array.isArray(s.value))),
        ),
        fc.array(
          fc.tuple(fc.nat(), values, fc.constantFrom('', '', 'unknown_field', '__proto__', 'id', 'roles')),
          { minLength: 1, maxLength: 4 },
        ),
        (sample, changes) => {
          const value = structuredClone(sample.value)
          for (const [pick, replacement, extraKey] of changes) {
            const paths = pathsOf(value)
            if (paths.length === 0) break
            mutate(value, paths[pick % paths.length] as Array<string | number>, replacement, extraKey)
          }
          if (compare({ ...sample, value })) answered++
        },
      ),
      { numRuns: 4000 },
    )
    // Most variants are invalid (zod's business); enough must still be answered to test the output
    // (~12% of runs here).
    expect(answered).toBeGreaterThan(200)
  })
})
