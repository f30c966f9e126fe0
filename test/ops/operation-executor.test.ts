import { afterEach, describe, expect, it } from 'vitest'
import { BotRuntime } from '../../src/bridge/bot-runtime.js'
import { BotSchema } from '../../src/config/schema.js'
import { KookSimulator } from '../../src/kook/simulator/kook-simulator.js'

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function setup() {
  const sim = await KookSimulator.start()
  cleanup.push(() => sim.close())
  const runtime = await BotRuntime.start({
    config: BotSchema.parse({ token: sim.token, apiBase: sim.apiBase }),
    store: 'memory',
  })
  cleanup.push(() => runtime.stop())
  const deadline = Date.now() + 5000
  while (!runtime.online && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  const channel = sim.world.channels.find((c) => c.type === 1)!
  const guild = sim.world.guilds[0]!
  // Not the guild owner: KOOK refuses to kick an owner.
  const human = sim.world.users.find((u) => !u.bot && u.id !== guild.user_id)!
  return { sim, runtime, ops: runtime.ops, channel, human }
}

const calls = (sim: KookSimulator, route: string) => sim.requests.filter((r) => r.route === route)

describe('operation executor against the simulator', () => {
  it('sends text, mention and reply as one KMarkdown message with quote, and an image uploaded first', async () => {
    const { sim, ops, channel, human } = await setup()
    const trigger = sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'hi' }) as {
      msg_id: string
    }
    const sent = await ops.run({
      op: 'sendMessage',
      target: { scene: 'channel', channelId: channel.id },
      elements: [
        { type: 'reply', messageId: trigger.msg_id },
        { type: 'mention', kind: 'user', id: human.id },
        { type: 'text', text: ' look *here*' },
        { type: 'image', url: '', data: PNG },
      ],
    })
    expect(sent.messageIds).toHaveLength(1)
    // Text with an image needs a card: one message, the text as a KMarkdown section, the image uploaded.
    const creates = calls(sim, 'message/create')
    expect(creates).toHaveLength(1)
    expect(creates[0]?.params).toMatchObject({ target_id: channel.id, type: 10, quote: trigger.msg_id })
    const content = String(creates[0]?.params['content'])
    expect(content).toContain(JSON.stringify(`(met)${human.id}(met) look \\*here\\*`).slice(1, -1))
    const upload = sim.requests.findIndex((r) => r.route === 'asset/create')
    expect(upload).toBeGreaterThanOrEqual(0)
    expect(content).toContain(`${sim.origin}/assets/`)
  })

  it('recalls every part through the endpoint of its scene', async () => {
    const { sim, ops, channel, human } = await setup()
    const inChannel = await ops.run({
      op: 'sendMessage',
      target: { scene: 'channel', channelId: channel.id },
      elements: [{ type: 'text', text: 'a' }],
    })
    const inDm = await ops.run({
      op: 'sendMessage',
      target: { scene: 'direct', userId: human.id },
      elements: [{ type: 'text', text: 'b' }],
    })
    expect(calls(sim, 'direct-message/create')[0]?.params).toMatchObject({ type: 9, target_id: human.id })
    await ops.run({ op: 'recall', messageIds: [...inChannel.messageIds, ...inDm.messageIds] })
    expect(calls(sim, 'message/delete').map((r) => r.params['msg_id'])).toEqual(inChannel.messageIds)
    expect(calls(sim, 'direct-message/delete').map((r) => r.params['msg_id'])).toEqual(inDm.messageIds)
  })

  it('reads a received message back by id, through the mapping table', async () => {
    const { sim, runtime, ops, channel, human } = await setup()
    const posted = sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'remember me' }) as {
      msg_id: string
    }
    const deadline = Date.now() + 5000
    while (!runtime.store.getMessage(posted.msg_id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10))
    const message = await ops.run({ op: 'getMessage', messageId: posted.msg_id })
    expect(message.plainText).toBe('remember me')
    expect(message.channelId).toBe(channel.id)
    expect(message.sender.id).toBe(human.id)
  })

  it('kicks with target_id, and reports KOOK refusals as typed errors', async () => {
    const { sim, ops, human } = await setup()
    const guild = sim.world.guilds[0]!
    await ops.run({ op: 'kick', guildId: guild.id, userId: human.id })
    expect(calls(sim, 'guild/kickout')[0]?.params).toMatchObject({ guild_id: guild.id, target_id: human.id })
    sim.failNext('guild/kickout', { code: 40300, message: 'no permission' })
    await expect(ops.run({ op: 'kick', guildId: guild.id, userId: human.id })).rejects.toMatchObject({
      code: 'KOOK_API',
      kookCode: 40300,
    })
  })

  it('lists members with roles: the owner is owner', async () => {
    const { sim, ops } = await setup()
    const guild = sim.world.guilds[0]!
    const members = await ops.run({ op: 'listMembers', guildId: guild.id })
    expect(members.find((m) => m.id === guild.user_id)?.role).toBe('owner')
  })

  it('reads history around an anchor in every KOOK direction, oldest first, and indexes what it read', async () => {
    const { sim, runtime, ops, channel, human } = await setup()
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'].map(
      (content) =>
        (sim.postMessage({ channelId: channel.id, authorId: human.id, content }) as { msg_id: string })
          .msg_id,
    )
    const target = { scene: 'channel' as const, channelId: channel.id }
    const read = async (extra: Record<string, unknown>) => {
      const events = await ops.run({ op: 'getHistory', target, count: 3, ...extra })
      return events.map((e) => e.plainText)
    }
    expect(await read({ anchor: ids[1], direction: 'after', includeAnchor: true })).toEqual([
      'm2',
      'm3',
      'm4',
    ])
    expect(await read({ anchor: ids[1], direction: 'after' })).toEqual(['m3', 'm4', 'm5'])
    expect(await read({ anchor: ids[3], direction: 'before', includeAnchor: true })).toEqual([
      'm2',
      'm3',
      'm4',
    ])
    expect(await read({ anchor: ids[2], direction: 'around', includeAnchor: true })).toEqual([
      'm2',
      'm3',
      'm4',
    ])
    expect(await read({})).toEqual(['m3', 'm4', 'm5'])
    for (const id of ids) expect(runtime.store.getMessage(id)?.channelId).toBe(channel.id)
    // KOOK pages hold 100 at most: a larger count is capped, not sent.
    await ops.run({ op: 'getHistory', target, count: 500 })
    expect(calls(sim, 'message/list').at(-1)?.params['page_size']).toBe('100')
    await expect(ops.run({ op: 'getHistory', target, count: 0 })).rejects.toMatchObject({
      code: 'BAD_PARAMS',
    })
  })
})
