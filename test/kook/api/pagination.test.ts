import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KookApi } from '../../../src/kook/api/kook-api.js'
import { type FakeKook, startFakeKook } from './fake-kook.js'

let kook: FakeKook
let api: KookApi
const guilds = Array.from({ length: 5 }, (_, i) => ({ id: `601638991400000${i}`, name: `guild ${i}` }))

beforeEach(async () => {
  kook = await startFakeKook()
  api = new KookApi({ baseUrl: kook.baseUrl, token: 't' })
  kook.on('guild/list', (request) => {
    const page = Number(request.query.get('page'))
    const size = Number(request.query.get('page_size'))
    return {
      data: {
        items: guilds.slice((page - 1) * size, page * size),
        meta: { page, page_total: Math.ceil(guilds.length / size), page_size: size, total: guilds.length },
        sort: {},
      },
    }
  })
})
afterEach(async () => {
  await kook.close()
})

describe('KookApi pagination', () => {
  it('walks every page until meta.page_total', async () => {
    const all = await api.listAll('guild/list', { page_size: 2 })
    expect(all.map((g) => g.id)).toEqual(guilds.map((g) => g.id))
    expect(kook.requestsTo('guild/list').map((r) => r.query.get('page'))).toEqual(['1', '2', '3'])
    expect(kook.requestsTo('guild/list').every((r) => r.query.get('page_size') === '2')).toBe(true)
  })

  it('asks for at most 50 per page, KOOK’s maximum', async () => {
    await api.listAll('guild/list', { page_size: 100 })
    expect(kook.requestsTo('guild/list').map((r) => r.query.get('page_size'))).toEqual(['50'])
    await api.listAll('guild/list')
    expect(kook.requestsTo('guild/list')[1]?.query.get('page_size')).toBe('50')
  })

  it('fetches no further page than the caller consumes', async () => {
    for await (const guild of api.paginate('guild/list', { page_size: 2 })) {
      expect(guild.id).toBe(guilds[0]?.id)
      break
    }
    expect(kook.requestsTo('guild/list')).toHaveLength(1)
  })

  it('passes the other params on every page', async () => {
    kook.on('guild/user-list', (request) => {
      const page = Number(request.query.get('page'))
      return {
        data: {
          items: [{ id: `u${page}` }],
          meta: { page, page_total: 2, page_size: 50, total: 2 },
          user_count: 2,
          online_count: 1,
          offline_count: 1,
        },
      }
    })
    const members = await api.listAll('guild/user-list', { guild_id: '6016389914000000' })
    expect(members.map((m) => m.id)).toEqual(['u1', 'u2'])
    expect(kook.requestsTo('guild/user-list').map((r) => r.query.get('guild_id'))).toEqual([
      '6016389914000000',
      '6016389914000000',
    ])
  })
})
