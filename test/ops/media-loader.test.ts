import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createMediaLoader } from '../../src/ops/media-loader.js'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kookbridge-media-'))
  dirs.push(dir)
  return dir
}

describe('media loader', () => {
  it('decodes base64:// and tells KOOK it is a PNG', async () => {
    const load = createMediaLoader({ fileRoots: [] })
    const loaded = await load({ type: 'image', url: `base64://${PNG.toString('base64')}` })
    expect(Buffer.from(loaded.data)).toEqual(PNG)
    expect(loaded.mime).toBe('image/png')
    expect(loaded.filename).toBe('image.png')
  })

  it('reads file:// only under the configured roots, symlinks resolved', async () => {
    const root = tempDir()
    const outside = tempDir()
    writeFileSync(join(root, 'cat.png'), PNG)
    writeFileSync(join(outside, 'secret.txt'), 'no')
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'))
    const load = createMediaLoader({ fileRoots: [root] })
    const loaded = await load({ type: 'image', url: pathToFileURL(join(root, 'cat.png')).href })
    expect(loaded.filename).toBe('cat.png')
    await expect(
      load({ type: 'file', url: pathToFileURL(join(outside, 'secret.txt')).href }),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_ALLOWED',
    })
    await expect(
      load({ type: 'file', url: pathToFileURL(join(root, 'link.txt')).href }),
    ).rejects.toMatchObject({
      code: 'FILE_NOT_ALLOWED',
    })
    await expect(
      createMediaLoader({ fileRoots: [] })({ type: 'image', url: pathToFileURL(join(root, 'cat.png')).href }),
    ).rejects.toMatchObject({ code: 'FILE_NOT_ALLOWED' })
  })

  it('fetches http(s) media and refuses what is too large', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' })
      res.end(PNG)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      const loaded = await createMediaLoader({ fileRoots: [] })({
        type: 'image',
        url: `http://127.0.0.1:${port}/a/cat.png`,
      })
      expect(loaded.filename).toBe('cat.png')
      expect(loaded.mime).toBe('image/png')
      await expect(
        createMediaLoader({ fileRoots: [], maxBytes: 4 })({
          type: 'image',
          url: `http://127.0.0.1:${port}/x.png`,
        }),
      ).rejects.toMatchObject({ code: 'UPLOAD' })
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
