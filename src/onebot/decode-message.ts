/**
 * The `message` parameter of a send action → Element[] ready for `sendMessage`.
 *
 * Accepts a CQ string, a segment array or a single segment object (onebot-v11.md §A6); `auto_escape`
 * sends a string literally. Media sources are resolved here so `ops/` only ever sees bytes or http(s)
 * URLs: `base64://` → bytes; `file://` → bytes, read only from under `fileRoots` (after resolving `..`
 * and symlinks; Karin passes `file://` through untouched on loopback, karin.md §3); http(s) stays a URL
 * for the uploader. Resolved local media get `url: ''` so nothing downstream re-reads a path unchecked.
 */
import type { FileHandle } from 'node:fs/promises'
import { open, realpath } from 'node:fs/promises'
import { basename, isAbsolute, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { Element, MediaElement } from '../model/element.js'
import { isMedia } from '../model/element.js'
import type { BridgeStore } from '../store/bridge-store.js'
import { decodeCq } from './cq-code.js'
import { decodeSegment } from './segments.js'
import type { InboundSegment } from './types.js'

export interface DecodeMessageContext {
  store: BridgeStore
  /** Directories `file://` may read from; empty refuses every `file://`. */
  fileRoots: readonly string[]
  maxMediaBytes: number
}

function badParams(message: string): BridgeError {
  return new BridgeError(ErrorCode.BadParams, message)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function toSegment(value: unknown, where: string): InboundSegment {
  if (!isRecord(value) || typeof value['type'] !== 'string' || value['type'] === '') {
    throw badParams(`${where}: expected a segment object {type, data}`)
  }
  const data = value['data']
  if (data !== undefined && data !== null && !isRecord(data)) {
    throw badParams(`${where} (${value['type']}): data must be an object`)
  }
  return isRecord(data) ? { type: value['type'], data } : { type: value['type'] }
}

/** The three accepted shapes of `message` → segments. */
export function messageSegments(message: unknown, autoEscape: boolean): InboundSegment[] {
  if (typeof message === 'string') {
    return autoEscape ? [{ type: 'text', data: { text: message } }] : decodeCq(message)
  }
  if (Array.isArray(message)) return message.map((item, i) => toSegment(item, `message[${i}]`))
  if (isRecord(message)) return [toSegment(message, 'message')]
  if (message === undefined || message === null) throw badParams('message: is required')
  throw badParams(`message: expected a string, a segment array or a segment object, got ${typeof message}`)
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}

async function readLocal(url: string, where: string, ctx: DecodeMessageContext): Promise<Uint8Array> {
  let path: string
  try {
    path = resolve(fileURLToPath(url))
  } catch {
    throw badParams(`${where}: invalid file:// URL "${url}"`)
  }
  const notAllowed = () =>
    new BridgeError(ErrorCode.FileNotAllowed, `${where}: ${path} is outside onebot.fileRoots`, {
      details: { path },
    })
  const roots = ctx.fileRoots.map((root) => resolve(root))
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)))
  // Refuse before touching the file system, so paths outside the roots reveal nothing (not even existence).
  if (!roots.some((root) => isInside(root, path)) && !realRoots.some((root) => isInside(root, path))) {
    throw notAllowed()
  }
  let real: string
  try {
    real = await realpath(path)
  } catch {
    throw new BridgeError(ErrorCode.NotFound, `${where}: ${path} does not exist`)
  }
  // `..` and symlinks are resolved now: a link inside a root pointing outside is refused.
  if (!realRoots.some((root) => isInside(root, real))) throw notAllowed()
  let handle: FileHandle | undefined
  try {
    handle = await open(real, 'r')
    const info = await handle.stat()
    if (!info.isFile()) throw badParams(`${where}: ${path} is not a regular file`)
    if (info.size > ctx.maxMediaBytes) {
      throw badParams(`${where}: ${path} has ${info.size} bytes, more than onebot.maxMediaBytes`)
    }
    return new Uint8Array(await handle.readFile())
  } catch (error) {
    if (error instanceof BridgeError) throw error
    throw new BridgeError(ErrorCode.Upload, `${where}: cannot read ${path}`, { cause: error })
  } finally {
    await handle?.close()
  }
}

function decodeBase64(url: string, where: string, ctx: DecodeMessageContext): Uint8Array {
  const body = url.slice('base64://'.length)
  // base64 is 4 chars per 3 bytes: refuse before allocating anything huge.
  if ((body.length / 4) * 3 > ctx.maxMediaBytes + 3) {
    throw badParams(`${where}: base64 media is larger than onebot.maxMediaBytes`)
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(body.replace(/\s+/g, ''))) {
    throw badParams(`${where}: base64:// payload is not valid base64`)
  }
  const bytes = Buffer.from(body, 'base64')
  if (bytes.length === 0) throw badParams(`${where}: base64:// payload is empty`)
  return new Uint8Array(bytes)
}

async function resolveMedia(
  el: MediaElement,
  where: string,
  ctx: DecodeMessageContext,
): Promise<MediaElement> {
  const scheme = /^([a-z0-9]+):\/\//i.exec(el.url)?.[1]?.toLowerCase()
  if (scheme === 'http' || scheme === 'https') return el
  if (scheme === 'base64') return { ...el, url: '', data: decodeBase64(el.url, where, ctx) }
  if (scheme === 'file') {
    const data = await readLocal(el.url, where, ctx)
    return { ...el, url: '', data, name: el.name ?? basename(fileURLToPath(el.url)) }
  }
  throw badParams(
    `${where}: media source must be http(s)://, base64:// or file://, got "${el.url.slice(0, 64)}"`,
  )
}

/**
 * The elements of a message without media (a reply's usual `[{type: 'text', …}]`), decoded in one
 * synchronous pass; undefined when a segment holds media or fails to decode, and the general path below
 * decodes it again (decoding only reads the store, so doing it twice changes nothing) with its own
 * ordering of media reads and errors. Why: the general path builds an async function per segment and
 * two `Promise.all` layers, several promise turns on the reply's critical path; with the Karin bench
 * instrumented (Karin's frame → `ops.run`) this path and the params fast path together took it from
 * 170–220 µs to 110–160 µs (medians of 230 cold-ish rounds, 2-core VM, several runs each).
 */
function decodePlain(segments: readonly InboundSegment[], ctx: DecodeMessageContext): Element[] | undefined {
  const out: Element[] = []
  for (let index = 0; index < segments.length; index++) {
    let elements: Element[]
    try {
      elements = decodeSegment(segments[index] as InboundSegment, index, ctx)
    } catch {
      return undefined
    }
    for (const el of elements) {
      if (isMedia(el)) return undefined
      out.push(el)
    }
  }
  return out
}

/** `message` (+ `auto_escape`) → elements, media resolved. Throws BAD_PARAMS / FILE_NOT_ALLOWED / NOT_FOUND. */
export async function decodeMessage(
  message: unknown,
  autoEscape: boolean,
  ctx: DecodeMessageContext,
): Promise<Element[]> {
  const segments = messageSegments(message, autoEscape)
  const plain = decodePlain(segments, ctx)
  if (plain !== undefined) {
    if (plain.length === 0) throw badParams('message: is empty')
    return plain
  }
  const pending = segments.map(async (segment, index) => {
    const elements = decodeSegment(segment, index, ctx)
    const where = `message[${index}] (${segment.type})`
    return Promise.all(elements.map((el) => (isMedia(el) ? resolveMedia(el, where, ctx) : el)))
  })
  const elements = (await Promise.all(pending)).flat()
  if (elements.length === 0) throw badParams('message: is empty')
  return elements
}
