import { extname } from 'node:path'
import { simIds } from './sim-ids.js'

export interface SimAsset {
  id: string
  name: string
  contentType: string
  bytes: Buffer
  url: string
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
}

/** A guess from the file name, for uploads that came without a usable content type. */
export function mimeFromName(name: string): string {
  return MIME_BY_EXTENSION[extname(name).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Files uploaded through asset/create, served back at `<origin>/assets/<id>/<name>`. KOOK only accepts
 * media messages whose URL it hosts itself (kook.md §6 "资源不存在"), so `byUrl` is how message/create
 * tells an uploaded URL from a foreign one.
 */
export class SimAssetStore {
  readonly #assets = new Map<string, SimAsset>()
  readonly #origin: () => string

  constructor(origin: () => string) {
    this.#origin = origin
  }

  add(name: string, bytes: Buffer, contentType?: string): SimAsset {
    const id = simIds.asset()
    // Only the base name survives, like KOOK's CDN paths; it is URL-encoded so any file name is addressable.
    const base = name.split(/[\\/]/).pop() || 'file'
    const type = contentType && contentType !== 'application/octet-stream' ? contentType : mimeFromName(base)
    const asset: SimAsset = {
      id,
      name: base,
      contentType: type,
      bytes,
      url: `${this.#origin()}/assets/${id}/${encodeURIComponent(base)}`,
    }
    this.#assets.set(id, asset)
    return asset
  }

  /** The asset behind a URL this simulator handed out, if any. */
  byUrl(url: string): SimAsset | undefined {
    const prefix = `${this.#origin()}/assets/`
    if (!url.startsWith(prefix)) return undefined
    return this.byPath(url.slice(this.#origin().length))
  }

  /** The asset behind a request path `/assets/<id>/<name>`. */
  byPath(path: string): SimAsset | undefined {
    const match = /^\/assets\/([0-9a-f]+)\//.exec(path)
    return match?.[1] ? this.#assets.get(match[1]) : undefined
  }
}
