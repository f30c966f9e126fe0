/**
 * The zod schema of a mapping file (shipped `mappings/*.yaml` and user override files alike): the shape
 * of each row. What zod cannot see — expressions, functions, the field catalogue, positions relative to
 * other rows — is checked by `check-row.ts` and `apply-overrides.ts`; all problems are reported together.
 */
import { z } from 'zod'
import { EMIT_TYPES } from './field-catalogue.js'

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()])

/** A match value: one value, or a list of accepted values. */
const MatchValue = z.union([Scalar, z.array(Scalar).min(1, 'a list of accepted values must not be empty')])

/** A field value: an expression (string), a literal number/boolean/null, or (object fields) a mapping of keys to values. */
export type FieldValue = string | number | boolean | null | { [key: string]: FieldValue }
const FieldValue: z.ZodType<FieldValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), FieldValue)]),
)

const ROW_ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/
const EXTENSION_NAME_RE = /^kook\.[a-z0-9_.]+$/

export const RowSchema = z
  .strictObject({
    /** Stable identifier; override files refer to rows by it. */
    id: z.string().regex(ROW_ID_RE, 'a row id uses letters, digits and . _ : - (1–128 characters)'),
    /** Free text for readers of the table. */
    description: z.string().optional(),
    /** Keys are paths into the KOOK event; every key must match. Absent: matches every event. */
    match: z.record(z.string(), MatchValue).optional(),
    /** The BridgeEvent type this row produces. */
    emit: z.enum(EMIT_TYPES as [string, ...string[]]).optional(),
    /** Extension events only: the namespaced event name, e.g. kook.voice_joined. */
    name: z.string().regex(EXTENSION_NAME_RE, 'an extension name looks like kook.some_event').optional(),
    /** Output field → expression. */
    fields: z.record(z.string(), FieldValue).optional(),
    /** Expression giving a list: one event per element ($item, $index inside). */
    forEach: z.string().optional(),
    /** Drop matching events on purpose; the reason is shown by explain and the row is counted. */
    ignore: z.string().min(1, 'give the reason for ignoring').optional(),
    /** Override files: remove the row with this id. */
    disabled: z.literal(true).optional(),
    /** Override files: place this row just before / after the row with that id. */
    before: z.string().optional(),
    after: z.string().optional(),
    /** Rows are tried by priority (higher first), then in table order. Default 0. */
    priority: z.int().optional(),
  })
  .superRefine((row, ctx) => {
    if (row.disabled) return
    if (row.emit === undefined && row.ignore === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['emit'],
        message: 'a row needs "emit" (an event type) or "ignore" (a reason)',
      })
    if (row.emit !== undefined && row.ignore !== undefined)
      ctx.addIssue({ code: 'custom', path: ['ignore'], message: 'a row cannot both emit and ignore' })
    if (row.ignore !== undefined && (row.fields !== undefined || row.forEach !== undefined))
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'an ignore row has no fields or forEach' })
    if (row.emit === 'extension' && row.name === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'an extension row needs a name, e.g. kook.voice_joined',
      })
    if (row.emit !== undefined && row.emit !== 'extension' && row.name !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `"name" is only for extension rows, not ${row.emit}`,
      })
    if (row.before !== undefined && row.after !== undefined)
      ctx.addIssue({ code: 'custom', path: ['after'], message: 'give "before" or "after", not both' })
  })

export type MappingRow = z.infer<typeof RowSchema>

/** A file: `rows`, plus an optional `anchors` section that only holds YAML anchors for reuse (ignored). */
export const MappingFileSchema = z.strictObject({
  anchors: z.unknown().optional(),
  rows: z.array(z.unknown()),
})
