/**
 * Element[] → KOOK messages, uploads first.
 *
 * KOOK only shows type 2/3 media it hosts ("资源不存在" otherwise), and re-hosting external card URLs
 * may fail (kook.md §6, §8.9), so every media element whose URL is not already a KOOK asset, or which
 * carries its bytes in `data`, goes through the injected `upload` (asset/create) before planning. The
 * same source is uploaded once per call. Upload failures reject the whole render: sending half a
 * message silently would be worse.
 */
import type { Scene } from '../model/bridge-event.js'
import { type Element, isMedia, type MediaElement } from '../model/element.js'
import { type KookSend, planKookMessages } from './plan-kook-messages.js'

export interface RenderOptions {
  scene: Scene
  /** Uploads one media element to KOOK (asset/create) and resolves to its KOOK URL. */
  upload: (media: MediaElement) => Promise<string>
  /**
   * Whether a URL is already a KOOK asset and can be sent as is.
   * @defaultValue {@link isKookAssetUrl}
   */
  isHosted?: (url: string) => boolean
}

const KOOK_ASSET_RE = /^https?:\/\/(?:img\.kookapp\.cn|img\.kaiheila\.cn)\//

/** True for URLs on KOOK's asset hosts (what asset/create returns). */
export function isKookAssetUrl(url: string): boolean {
  return KOOK_ASSET_RE.test(url)
}

/** A media element KOOK would not show as is: bytes to upload, or a URL that is not a KOOK asset. */
function needsUpload(el: Element, isHosted: (url: string) => boolean): el is MediaElement {
  return isMedia(el) && !(el.data === undefined && isHosted(el.url))
}

export async function renderKookMessages(
  elements: readonly Element[],
  options: RenderOptions,
): Promise<KookSend[]> {
  const isHosted = options.isHosted ?? isKookAssetUrl
  // Nothing to upload (a text reply, hosted media): plan at once. Same result as the general path,
  // which returns every such element as it is, without its async function and Promise.all per call.
  if (!elements.some((el) => needsUpload(el, isHosted)))
    return planKookMessages(elements, { scene: options.scene })
  const uploads = new Map<string, Promise<string>>()
  const resolved = await Promise.all(
    elements.map(async (el): Promise<Element> => {
      if (!needsUpload(el, isHosted)) return el
      // Bytes are keyed by identity (no hashing on the send path); URLs by value.
      const key = el.data === undefined ? `url:${el.url}` : undefined
      let pending = key === undefined ? undefined : uploads.get(key)
      if (pending === undefined) {
        pending = options.upload(el)
        if (key !== undefined) uploads.set(key, pending)
      }
      const url = await pending
      const { data: _data, ...rest } = el
      return { ...rest, url }
    }),
  )
  return planKookMessages(resolved, { scene: options.scene })
}
