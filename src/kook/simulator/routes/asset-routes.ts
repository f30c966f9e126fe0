import { fail, KOOK_BAD_REQUEST } from '../sim-api-failure.js'
import type { SimRoute } from '../sim-route.js'

export const assetRoutes = {
  'asset/create': {
    method: 'POST',
    run(ctx, { files }) {
      // KOOK wants a multipart part named `file` that carries a filename; a bare field is refused.
      const file = files.get('file')
      if (!file?.filename) fail(KOOK_BAD_REQUEST, 'file 不能为空 (multipart field "file" with a filename)')
      return { url: ctx.assets.add(file.filename, file.data, file.contentType).url }
    },
  },
} as const satisfies Record<string, SimRoute>
