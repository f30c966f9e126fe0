import { describe, expect, it } from 'vitest'
import { requestsTo, startSimOneBot, waitFor } from './support/sim-onebot.js'

interface HistoryMessage {
  message_id: number
  message_seq: number
  message_type: string
  group_id?: number
  user_id: number
  raw_message: string
  sender: { user_id: number }
}
type History = { messages: HistoryMessage[] }

const texts = (h: History) => h.messages.map((m) => m.raw_message)

describe('get_group_msg_history / get_friend_msg_history on the simulator', () => {
  it('pages a channel through message/list with the ids events used, fresh persistent ids for the rest', async () => {
    const bridge = await startSimOneBot({
      // Written while the bridge was not connected: the bridge has never seen these two.
      before: (sim) => {
        const channel = sim.world.channels.find((c) => c.type === 1)!
        sim.postMessage({ channelId: channel.id, content: 'old 1' })
        sim.postMessage({ channelId: channel.id, content: 'old 2' })
      },
    })
    const { sim, call, messages, channel, human } = bridge
    for (const text of ['new 1', 'new 2', 'new 3']) {
      sim.postMessage({ channelId: channel.id, authorId: human.id, content: text })
    }
    await waitFor(() => expect(messages()).toHaveLength(3))
    const eventIds = messages().map((e) => e['message_id'])
    const groupId = messages()[0]!['group_id']

    const latest = await call<History>('get_group_msg_history', { group_id: groupId })
    expect(latest.retcode).toBe(0)
    expect(texts(latest.data)).toEqual(['old 1', 'old 2', 'new 1', 'new 2', 'new 3'])
    const ids = latest.data.messages.map((m) => m.message_id)
    expect(ids.slice(2)).toEqual(eventIds)
    // The unknown ones get numbers of their own, new and distinct, that work with get_msg afterwards.
    const fresh = ids.slice(0, 2)
    expect(new Set(ids).size).toBe(5)
    for (const id of fresh) expect(eventIds).not.toContain(id)
    const again = await call<{ raw_message: string }>('get_msg', { message_id: fresh[0] })
    expect(again.data.raw_message).toBe('old 1')
    for (const m of latest.data.messages) {
      expect(m).toMatchObject({ message_type: 'group', group_id: groupId, message_seq: m.message_id })
    }
    // Asking twice gives the same numbers: they were allocated once.
    const twice = await call<History>('get_group_msg_history', { group_id: groupId })
    expect(twice.data.messages.map((m) => m.message_id)).toEqual(ids)
    expect(requestsTo(sim, 'message/list')[0]?.params).toMatchObject({
      target_id: channel.id,
      page_size: '20',
    })
  })

  it("follows Karin's call: get_msg's message_seq, then count messages ending with it", async () => {
    const { sim, call, messages, channel, human } = await startSimOneBot()
    for (const text of ['a', 'b', 'c', 'd']) {
      sim.postMessage({ channelId: channel.id, authorId: human.id, content: text })
    }
    await waitFor(() => expect(messages()).toHaveLength(4))
    const [, , third] = messages()
    const groupId = third!['group_id']
    const got = await call<{ message_seq: number }>('get_msg', { message_id: third!['message_id'] })
    const page = await call<History>('get_group_msg_history', {
      group_id: groupId,
      message_seq: got.data.message_seq,
      count: 2,
    })
    expect(texts(page.data)).toEqual(['b', 'c'])
    expect(page.data.messages.at(-1)?.message_id).toBe(third!['message_id'])
    // KOOK leaves the anchor out of a `before` page: it is read with message/view, the page is one shorter.
    const list = requestsTo(sim, 'message/list').at(-1)
    const anchor = sim.allMessages.find((m) => m.content === 'c')!.msgId
    expect(list?.params).toMatchObject({ msg_id: anchor, flag: 'before', page_size: '1' })

    const reversed = await call<History>('get_group_msg_history', {
      group_id: groupId,
      message_seq: got.data.message_seq,
      count: 3,
      reverseOrder: true,
    })
    expect(texts(reversed.data)).toEqual(['c', 'b', 'a'])
  })

  it('refuses a bad count and an anchor from another conversation, by param', async () => {
    const { sim, call, messages, channel, human } = await startSimOneBot()
    sim.postMessage({ channelId: channel.id, authorId: human.id, content: 'x' })
    sim.postMessage({ userId: human.id, content: 'dm' })
    await waitFor(() => expect(messages()).toHaveLength(2))
    const [inGroup, inDm] = messages()
    const zero = await call('get_group_msg_history', { group_id: inGroup!['group_id'], count: 0 })
    expect(zero).toMatchObject({ status: 'failed', retcode: 1400 })
    expect(zero.message).toContain('count')
    const elsewhere = await call('get_group_msg_history', {
      group_id: inGroup!['group_id'],
      message_seq: inDm!['message_id'],
    })
    expect(elsewhere).toMatchObject({ status: 'failed', retcode: 1400 })
    expect(elsewhere.message).toContain('not in this conversation')
  })

  it('reads a DM both ways through direct-message/list, with the id send_private_msg returned', async () => {
    const { sim, call, messages, human } = await startSimOneBot()
    sim.postMessage({ userId: human.id, content: 'hello bot' })
    await waitFor(() => expect(messages()).toHaveLength(1))
    const userId = messages()[0]!['user_id']
    const sent = await call<{ message_id: number }>('send_private_msg', {
      user_id: userId,
      message: 'hello human',
    })
    sim.postMessage({ userId: human.id, content: 'bye' })
    await waitFor(() => expect(messages()).toHaveLength(2))

    // Karin's call after stripping its nc_ prefix: user_id, message_seq, count, reverse.
    const page = await call<History>('get_friend_msg_history', { user_id: userId, count: 10, reverse: false })
    expect(page.retcode).toBe(0)
    expect(texts(page.data)).toEqual(['hello bot', 'hello human', 'bye'])
    expect(page.data.messages.map((m) => m.message_id)).toEqual([
      messages()[0]!['message_id'],
      sent.data.message_id,
      messages()[1]!['message_id'],
    ])
    const bot = page.data.messages[1]!
    expect(bot.message_type).toBe('private')
    expect(bot.sender.user_id).not.toBe(userId)
    expect(page.data.messages[0]!.sender.user_id).toBe(userId)
    expect(requestsTo(sim, 'direct-message/list')[0]?.params['chat_code']).toBe(
      sim.allMessages.find((m) => m.content === 'bye')!.chatCode,
    )

    const upTo = await call<History>('get_friend_msg_history', {
      user_id: userId,
      message_seq: sent.data.message_id,
      count: 5,
    })
    expect(texts(upTo.data)).toEqual(['hello bot', 'hello human'])
  })

  it('learns the chat code of a user never seen in a DM, without creating anything new', async () => {
    const { sim, call, human } = await startSimOneBot({
      before: (sim) => {
        const user = sim.world.users.find((u) => !u.bot && u.id !== sim.world.guilds[0]!.user_id)!
        sim.postMessage({ userId: user.id, content: 'before the bridge' })
      },
    })
    const page = await call<History>('get_friend_msg_history', { user_id: Number(human.id) })
    expect(texts(page.data)).toEqual(['before the bridge'])
    expect(requestsTo(sim, 'user-chat/create')[0]?.params).toMatchObject({ target_id: human.id })
    expect(requestsTo(sim, 'direct-message/list')[0]?.params['chat_code']).toBe(
      sim.allMessages.find((m) => m.content === 'before the bridge')!.chatCode,
    )
  })
})
