import { describe, expect, it } from 'vitest'
import { planQuickOperation } from '../../src/onebot/quick-operation.js'
import { requestsTo, startSimOneBot, type WireEvent, waitFor } from './support/sim-onebot.js'

/** The framework's answers, by the text of the message it received. */
function answer(event: WireEvent): unknown {
  if (event['post_type'] !== 'message') return undefined
  switch (event['raw_message']) {
    case 'ping':
      return { reply: 'pong' }
    case 'literal':
      return { reply: '[CQ:face,id=1] *x*', auto_escape: true, at_sender: false }
    case 'spam':
      return { delete: true, kick: true }
    case 'mute me':
      return { reply: 'muted?', at_sender: false, ban: true, ban_duration: 60 }
    case 'hi bot':
      return { reply: [{ type: 'text', data: { text: 'hi human' } }] }
    case 'nothing':
      return {}
    case 'garbage':
      return 'not an operation'
    default:
      return undefined
  }
}

describe('HTTP POST quick operations, answered by a real HTTP server, run on the simulator', () => {
  it('replies in the channel with an @ of the sender by default', async () => {
    const { sim, runtime, messages, channel, human } = await startSimOneBot({ answer })
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'ping' })
    const replied = () =>
      runtime.metrics.value('kookbridge_onebot_quick_operations_total', {
        bot: 'main',
        op: 'reply',
        status: 'ok',
      })
    await waitFor(() => expect(replied()).toBe(1))
    const create = requestsTo(sim, 'message/create')[0]!
    expect(create.params).toMatchObject({ target_id: channel.id })
    expect(create.params['content']).toBe(`(met)${human.id}(met) pong`)
    // The reply is an ordinary send: indexed, so frameworks can recall it later.
    const msgId = sim.messages[0]!.msgId
    expect(runtime.store.getMessage(msgId)?.channelId).toBe(channel.id)
    expect(requestsTo(sim, 'message/create')).toHaveLength(1)
    expect(messages()).toHaveLength(1)
  })

  it('sends a reply literally with auto_escape, without the @ when at_sender is false', async () => {
    const { sim, channel, human } = await startSimOneBot({ answer })
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'literal' })
    await waitFor(() => expect(requestsTo(sim, 'message/create')).toHaveLength(1))
    const content = String(requestsTo(sim, 'message/create')[0]!.params['content'])
    // KMarkdown-escaped literal text, not a face and not emphasis.
    expect(content).toBe('\\[CQ\\:face,id=1\\] \\*x\\*')
  })

  it('deletes the message and kicks its author', async () => {
    const { sim, channel, human, guild } = await startSimOneBot({ answer })
    const posted = sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'spam' }) as {
      msg_id: string
    }
    await waitFor(() => expect(requestsTo(sim, 'guild/kickout')).toHaveLength(1))
    expect(requestsTo(sim, 'message/delete')[0]?.params).toMatchObject({ msg_id: posted.msg_id })
    expect(requestsTo(sim, 'guild/kickout')[0]?.params).toMatchObject({
      guild_id: guild.id,
      target_id: human.id,
    })
  })

  it('never fakes a ban: the reply goes out, the ban is counted as failed and nothing else is called', async () => {
    const { sim, runtime, channel, human } = await startSimOneBot({ answer })
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'mute me' })
    const failed = () =>
      runtime.metrics.value('kookbridge_onebot_quick_operations_total', {
        bot: 'main',
        op: 'ban',
        status: 'failed',
      })
    await waitFor(() => expect(failed()).toBe(1))
    expect(requestsTo(sim, 'message/create')[0]?.params['content']).toBe('muted?')
    const muteCalls = sim.requests.filter(
      (r) => r.route.startsWith('guild-mute/') || r.route.startsWith('blacklist/'),
    )
    expect(muteCalls).toEqual([])
  })

  it('answers a DM with a private reply, and does nothing for {} or a body that is not an object', async () => {
    const { sim, runtime, messages, channel, human } = await startSimOneBot({ answer })
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'nothing' })
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'garbage' })
    sim.postMessage({ userId: human.id, content: 'hi bot' })
    await waitFor(() => expect(requestsTo(sim, 'direct-message/create')).toHaveLength(1))
    expect(requestsTo(sim, 'direct-message/create')[0]?.params).toMatchObject({ target_id: human.id })
    expect(requestsTo(sim, 'direct-message/create')[0]?.params['content']).toBe('hi human')
    expect(messages()).toHaveLength(3)
    expect(requestsTo(sim, 'message/create')).toEqual([])
    expect(runtime.metrics.total('kookbridge_onebot_http_post_replies_invalid_total')).toBe(1)
  })

  it('serves .handle_quick_operation on the API, and counts request approvals KOOK cannot do as ignored', async () => {
    const { sim, runtime, call, messages, channel, human } = await startSimOneBot()
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'via api' })
    await waitFor(() => expect(messages()).toHaveLength(1))
    const done = await call('.handle_quick_operation', {
      context: messages()[0],
      operation: { reply: 'from the api', at_sender: false },
    })
    expect(done).toMatchObject({ status: 'ok', retcode: 0 })
    expect(requestsTo(sim, 'message/create')[0]?.params).toMatchObject({
      target_id: channel.id,
      content: 'from the api',
    })

    const request = { post_type: 'request', request_type: 'friend', user_id: 1, flag: 'f', comment: '' }
    const ignored = await call('.handle_quick_operation', { context: request, operation: { approve: true } })
    expect(ignored).toMatchObject({ status: 'ok' })
    expect(
      runtime.metrics.value('kookbridge_onebot_quick_operations_total', {
        bot: 'main',
        op: 'approve',
        status: 'ignored',
      }),
    ).toBe(1)

    const banned = await call('.handle_quick_operation', { context: messages()[0], operation: { ban: true } })
    expect(banned).toMatchObject({ status: 'failed', retcode: 100 })
    expect(banned.message).toContain('KOOK has no text mute')

    const bad = await call('.handle_quick_operation', { context: 'x', operation: {} })
    expect(bad).toMatchObject({ status: 'failed', retcode: 1400 })
  })
})

describe('planQuickOperation', () => {
  const group = {
    post_type: 'message',
    message_type: 'group',
    group_id: 7,
    user_id: 42,
    message_id: 3,
    anonymous: null,
    sender: { user_id: 42 },
  }

  it("plans in go-cqhttp's order: reply, delete, kick, ban (30 minutes by default)", () => {
    const plan = planQuickOperation(group, { ban: true, kick: true, delete: true, reply: 'x' })
    expect(plan.steps.map((s) => s.op)).toEqual(['reply', 'delete', 'kick', 'ban'])
    expect(plan.steps[3]?.params).toMatchObject({ group_id: 7, user_id: 42, duration: 1800 })
    expect(plan.ignored).toEqual([])
  })

  it('puts the @ in front of segment replies too, and never @s an anonymous sender', () => {
    const segments = planQuickOperation(group, { reply: [{ type: 'text', data: { text: 'x' } }] })
    expect(segments.steps[0]?.params['message']).toEqual([
      { type: 'at', data: { qq: '42' } },
      { type: 'text', data: { text: ' ' } },
      { type: 'text', data: { text: 'x' } },
    ])
    const anonymous = planQuickOperation({ ...group, anonymous: { id: 1 } }, { reply: 'x', kick: true })
    expect(anonymous.steps).toEqual([
      { op: 'reply', action: 'send_group_msg', params: { group_id: 7, message: 'x', auto_escape: false } },
    ])
  })

  it('answers the guild form in its channel, and names what it ignores', () => {
    const guild = {
      post_type: 'message',
      message_type: 'guild',
      guild_id: '5',
      channel_id: '9',
      user_id: '42',
    }
    const plan = planQuickOperation(guild, { reply: 'x', at_sender: false, frobnicate: 1 })
    expect(plan.steps[0]).toMatchObject({ action: 'send_group_msg', params: { group_id: '9' } })
    expect(plan.ignored).toEqual(['frobnicate'])
    expect(planQuickOperation({ post_type: 'notice' }, { reply: 'x' }).ignored).toEqual(['reply'])
  })
})
