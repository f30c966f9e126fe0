/**
 * KOOK media messages (type 2 image, 3 video, 4 file, 8 audio) → one media element.
 *
 * `content` is the media URL; `extra.attachments` (an object, despite the plural) adds name, MIME type,
 * size, duration and dimensions when KOOK sends them. The URL from `attachments` wins when both exist.
 */
import type { Element, MediaElement } from '../model/element.js'

const KIND_BY_TYPE: Readonly<Record<number, MediaElement['type']>> = {
  2: 'image',
  3: 'video',
  4: 'file',
  8: 'audio',
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

export function parseAttachment(type: unknown, content: unknown, attachments: unknown): Element[] {
  const kind = typeof type === 'number' ? KIND_BY_TYPE[type] : undefined
  const att =
    attachments !== null && typeof attachments === 'object' ? (attachments as Record<string, unknown>) : {}
  const url = str(att['url']) ?? str(content)
  if (kind === undefined || url === undefined)
    return str(content) ? [{ type: 'text', text: String(content) }] : []
  const el: MediaElement = { type: kind, url }
  const name = str(att['name'])
  if (name !== undefined) el.name = name
  const size = num(att['size'])
  if (size !== undefined) el.size = size
  const mime = str(att['file_type'])
  if (mime !== undefined) el.mime = mime
  if (el.type === 'image') {
    const width = num(att['width'])
    const height = num(att['height'])
    if (width !== undefined) el.width = width
    if (height !== undefined) el.height = height
  } else if (el.type === 'video' || el.type === 'audio') {
    const duration = num(att['duration'])
    if (duration !== undefined) el.duration = duration
  }
  return [el]
}
