/**
 * `extra.attachments` of a media message (types 2/3/4/8): one object, despite the plural name.
 */
import { z } from 'zod'

export const kookAttachmentSchema = z.looseObject({
  /** `image` | `video` | `file` | `audio`. */
  type: z.string(),
  url: z.string(),
  name: z.string().optional(),
  /** MIME type. */
  file_type: z.string().optional(),
  /** Bytes. */
  size: z.number().optional(),
  /** Seconds (video/audio). */
  duration: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
})
export type KookAttachment = z.output<typeof kookAttachmentSchema>

/**
 * KOOK sends `attachments: []` when a message has none (Kook.Net's SafeAttachmentConverter skips arrays
 * for that reason): an empty array reads as `null`, and a non-empty array as its first attachment, so
 * downstream handles one shape.
 */
function unwrapAttachmentArray(value: unknown): unknown {
  return Array.isArray(value) ? (value.length === 0 ? null : value[0]) : value
}

/** The `attachments` field of a message extra: one attachment or `null`. */
export const kookAttachmentField = z.preprocess(unwrapAttachmentArray, kookAttachmentSchema.nullable())
