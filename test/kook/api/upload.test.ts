import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KookApiError } from '../../../src/errors/bridge-error.js'
import { KookApi } from '../../../src/kook/api/kook-api.js'
import { Metrics } from '../../../src/util/metrics.js'
import { type FakeKook, type RecordedRequest, startFakeKook } from './fake-kook.js'

interface ReceivedFile {
  name: string
  type: string
  bytes: Uint8Array
  contentType: string
}

let kook: FakeKook
let received: ReceivedFile[]

/** Parses the multipart body the way a real server would (undici's own multipart parser). */
async function readFile(request: RecordedRequest): Promise<ReceivedFile> {
  const contentType = request.headers['content-type'] ?? ''
  const form = await new Response(new Uint8Array(request.body), {
    headers: { 'content-type': contentType },
  }).formData()
  const file = form.get('file')
  if (!(file instanceof File)) throw new Error('no file part')
  return { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()), contentType }
}

beforeEach(async () => {
  kook = await startFakeKook()
  received = []
  kook.on('asset/create', async (request, n) => {
    const file = await readFile(request)
    received.push(file)
    // KOOK refuses a file part without a filename.
    if (!file.name) return { json: { code: 40000, message: '参数错误', data: {} } }
    return { data: { url: `https://img.kookapp.cn/assets/2025-01/${n}-${file.name}` } }
  })
})
afterEach(async () => {
  await kook.close()
})

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255])

describe('KookApi.upload', () => {
  it('posts the bytes as multipart field "file" with a filename and returns the URL', async () => {
    const url = await new KookApi({ baseUrl: kook.baseUrl, token: 't' }).upload(png, 'cat.png', 'image/png')
    expect(url).toBe('https://img.kookapp.cn/assets/2025-01/1-cat.png')
    expect(received).toHaveLength(1)
    expect(received[0]?.contentType).toMatch(/^multipart\/form-data; boundary=/)
    expect(received[0]?.name).toBe('cat.png')
    expect(received[0]?.type).toBe('image/png')
    expect(received[0]?.bytes).toEqual(png)
    expect(kook.requests[0]?.headers.authorization).toBe('Bot t')
  })

  it('always sends a filename, even when given none', async () => {
    const url = await new KookApi({ baseUrl: kook.baseUrl, token: 't' }).upload(png, '')
    expect(url).toContain('https://img.kookapp.cn/')
    expect(received[0]?.name).not.toBe('')
  })

  it('uploads the same bytes once, and different bytes again', async () => {
    const metrics = new Metrics()
    const api = new KookApi({ baseUrl: kook.baseUrl, token: 't', metrics })
    const first = await api.upload(png, 'cat.png', 'image/png')
    const again = await api.upload(Uint8Array.from(png), 'same-cat.png', 'image/png')
    expect(again).toBe(first)
    expect(kook.requestsTo('asset/create')).toHaveLength(1)

    const other = await api.upload(new Uint8Array([1, 2, 3]), 'dog.png', 'image/png')
    expect(other).not.toBe(first)
    expect(kook.requestsTo('asset/create')).toHaveLength(2)
    expect(metrics.value('kook_api_uploads_total', { result: 'cached' })).toBe(1)
    expect(metrics.value('kook_api_uploads_total', { result: 'uploaded' })).toBe(2)
  })

  it('shares one upload between concurrent calls for the same bytes', async () => {
    const api = new KookApi({ baseUrl: kook.baseUrl, token: 't' })
    const urls = await Promise.all([
      api.upload(png, 'a.png'),
      api.upload(png, 'a.png'),
      api.upload(png, 'a.png'),
    ])
    expect(new Set(urls).size).toBe(1)
    expect(kook.requestsTo('asset/create')).toHaveLength(1)
  })

  it('does not remember a failed upload', async () => {
    kook.on('asset/create', async (request, n) => {
      await readFile(request)
      return n === 1
        ? { json: { code: 40014, message: '文件过大', data: {} } }
        : { data: { url: 'https://img.kookapp.cn/assets/ok.png' } }
    })
    const api = new KookApi({ baseUrl: kook.baseUrl, token: 't' })
    await expect(api.upload(png, 'a.png')).rejects.toBeInstanceOf(KookApiError)
    await expect(api.upload(png, 'a.png')).resolves.toBe('https://img.kookapp.cn/assets/ok.png')
    expect(kook.requestsTo('asset/create')).toHaveLength(2)
  })

  it('forgets the least recently used upload beyond uploadCacheSize', async () => {
    const api = new KookApi({ baseUrl: kook.baseUrl, token: 't', uploadCacheSize: 2 })
    const a = new Uint8Array([1])
    const b = new Uint8Array([2])
    const c = new Uint8Array([3])
    await api.upload(a, 'a')
    await api.upload(b, 'b')
    await api.upload(a, 'a') // a is now the most recently used
    await api.upload(c, 'c') // evicts b
    expect(kook.requestsTo('asset/create')).toHaveLength(3)
    await api.upload(a, 'a')
    expect(kook.requestsTo('asset/create')).toHaveLength(3)
    await api.upload(b, 'b')
    expect(kook.requestsTo('asset/create')).toHaveLength(4)
  })
})
