/**
 * Turns an outbound media element into bytes for asset/create. KOOK shows type 2/3 media only when
 * this bot uploaded it ("资源不存在", kook.md §8.9), so foreign URLs are fetched and re-uploaded.
 * Local files are read only under configured roots: a framework must not be able to make the bridge
 * read /etc/passwd by sending `file:///etc/passwd`.
 */
import { readFile, realpath } from 'node:fs/promises'
import { basename, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { MediaElement } from '../model/element.js'

export interface LoadedMedia {
  data: Uint8Array
  filename: string
  mime?: string
}

export interface MediaLoaderOptions {
  /** Directories `file://` media may come from; empty refuses every local file. */
  fileRoots: readonly string[]
  /** Largest accepted media, in bytes. @defaultValue 32 MiB */
  maxBytes?: number
  fetch?: typeof fetch
  timeoutMs?: number
}

const DEFAULT_NAMES = {
  image: 'image.png',
  video: 'video.mp4',
  audio: 'audio.mp3',
  file: 'file.bin',
} as const

export function createMediaLoader(
  options: MediaLoaderOptions,
): (media: MediaElement) => Promise<LoadedMedia> {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  const doFetch = options.fetch ?? fetch
  const timeoutMs = options.timeoutMs ?? 30_000
  const roots = options.fileRoots.map((root) => resolve(root))

  const tooLarge = (size: number) =>
    new BridgeError(ErrorCode.Upload, `media is ${size} bytes, more than the ${maxBytes} allowed`)

  return async (media) => {
    const fallbackName = media.name ?? DEFAULT_NAMES[media.type]
    const withMime = (loaded: Omit<LoadedMedia, 'mime'>): LoadedMedia =>
      media.mime === undefined ? loaded : { ...loaded, mime: media.mime }
    if (media.data !== undefined) {
      if (media.data.byteLength > maxBytes) throw tooLarge(media.data.byteLength)
      return withMime({ data: media.data, filename: fallbackName })
    }
    const url = media.url
    if (url.startsWith('base64://')) {
      const data = Buffer.from(url.slice('base64://'.length), 'base64')
      if (data.byteLength === 0)
        throw new BridgeError(ErrorCode.BadParams, 'base64:// media is empty or not base64')
      if (data.byteLength > maxBytes) throw tooLarge(data.byteLength)
      return withMime({ data, filename: fallbackName })
    }
    if (url.startsWith('file://')) {
      let path: string
      try {
        path = await realpath(fileURLToPath(url))
      } catch (error) {
        throw new BridgeError(ErrorCode.BadParams, `cannot read ${url}: ${(error as Error).message}`, {
          cause: error,
        })
      }
      if (!roots.some((root) => path === root || path.startsWith(root + sep))) {
        throw new BridgeError(ErrorCode.FileNotAllowed, `file ${path} is outside the configured file roots`, {
          details: { path },
        })
      }
      const data = await readFile(path)
      if (data.byteLength > maxBytes) throw tooLarge(data.byteLength)
      return withMime({ data, filename: media.name ?? basename(path) })
    }
    if (/^https?:\/\//i.test(url)) {
      let response: Response
      try {
        response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) })
      } catch (error) {
        throw new BridgeError(ErrorCode.Upload, `cannot fetch ${url}: ${(error as Error).message}`, {
          cause: error,
        })
      }
      if (!response.ok)
        throw new BridgeError(ErrorCode.Upload, `fetching ${url} answered HTTP ${response.status}`)
      const declared = Number(response.headers.get('content-length') ?? 0)
      if (declared > maxBytes) throw tooLarge(declared)
      const data = new Uint8Array(await response.arrayBuffer())
      if (data.byteLength > maxBytes) throw tooLarge(data.byteLength)
      const name = media.name ?? (basename(new URL(url).pathname) || fallbackName)
      const mime = media.mime ?? response.headers.get('content-type') ?? undefined
      return mime === undefined ? { data, filename: name } : { data, filename: name, mime }
    }
    throw new BridgeError(ErrorCode.BadParams, `unsupported media source "${url.slice(0, 40)}"`)
  }
}
