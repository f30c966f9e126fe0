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

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  txt: 'text/plain',
  pdf: 'application/pdf',
  zip: 'application/zip',
}

/**
 * The content type to upload with: KOOK stores what it is told, and an image sent as
 * application/octet-stream may not render. Magic bytes first (a base64 image often has no honest
 * name), then the file extension.
 */
export function sniffMime(data: Uint8Array, filename: string): string | undefined {
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return 'image/png'
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg'
  if (data[0] === 0x47 && data[1] === 0x49 && data[2] === 0x46) return 'image/gif'
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase()
  return ext === undefined ? undefined : MIME_BY_EXTENSION[ext]
}

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
    const withMime = (loaded: Omit<LoadedMedia, 'mime'>): LoadedMedia => {
      const mime = media.mime ?? sniffMime(loaded.data, loaded.filename)
      return mime === undefined ? loaded : { ...loaded, mime }
    }
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
