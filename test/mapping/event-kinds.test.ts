/**
 * Every KOOK event kind (kook.md §3–§4, message types and system events) reaches a row of its own, and
 * what falls outside the table is kept, counted and never thrown.
 */
import { describe, expect, it } from 'vitest'
import { loadMappingTable } from '../../src/mapping/load-mapping-table.js'
import { MAPPING_METRICS } from '../../src/mapping/mapping-table.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'
import { Metrics } from '../../src/util/metrics.js'

const BOT = '3541790628'
const metrics = new Metrics()
const table = loadMappingTable({ metrics })
const context = { selfId: BOT }

function system(channelType: string, extraType: string, body: unknown): Record<string, unknown> {
  return {
    channel_type: channelType,
    type: 255,
    target_id: channelType === 'GROUP' ? '3987615236490215' : BOT,
    author_id: '1',
    content: '[系统消息]',
    extra: { type: extraType, body },
    msg_id: `evt-${extraType}`,
    msg_timestamp: 1735716000000,
    nonce: '',
  }
}

function message(
  channelType: string,
  type: number,
  content: unknown,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    channel_type: channelType,
    type,
    target_id: channelType === 'GROUP' ? '4588163096275438' : BOT,
    author_id: '2418239356',
    content,
    msg_id: `msg-${channelType}-${type}`,
    msg_timestamp: 1735716000000,
    nonce: '',
    extra: {
      type,
      ...(channelType === 'GROUP'
        ? { guild_id: '3987615236490215', channel_name: '闲聊' }
        : { code: '6d0dbc5f466171d910bff4e12c88beea' }),
      author: { id: '2418239356', username: 'Bob', nickname: 'Bobby', roles: [2581], bot: false },
      ...extra,
    },
  }
}

function kind(e: BridgeEvent | undefined): string | undefined {
  return e === undefined ? undefined : e.type === 'extension' ? e.name : e.type
}

const channel = {
  id: '4588163096275438',
  name: '闲聊',
  guild_id: '3987615236490215',
  is_category: 0,
  type: 1,
}
const user = { id: '2418239356', username: 'Bob' }
const systemCases: Array<[string, string, unknown, string]> = [
  [
    'GROUP',
    'added_reaction',
    { msg_id: 'm', user_id: 'u', channel_id: 'c', emoji: { id: '[#128077;]', name: '[#128077;]' } },
    'notice.reaction',
  ],
  [
    'GROUP',
    'deleted_reaction',
    { msg_id: 'm', user_id: 'u', channel_id: 'c', emoji: { id: '3987/Xb7k', name: 'doge' } },
    'notice.reaction',
  ],
  [
    'GROUP',
    'updated_message',
    { msg_id: 'm', channel_id: 'c', content: 'new', updated_at: 1 },
    'kook.message_updated',
  ],
  ['GROUP', 'deleted_message', { msg_id: 'm', channel_id: 'c' }, 'notice.recall'],
  [
    'GROUP',
    'embeds_append',
    { rong_id: 'm', channel_id: 'c', guild_id: 'g', embeds: [] },
    'kook.embeds_append',
  ],
  ['GROUP', 'pinned_message', { msg_id: 'm', channel_id: 'c', operator_id: 'o' }, 'notice.pin'],
  ['GROUP', 'unpinned_message', { msg_id: 'm', channel_id: 'c', operator_id: 'o' }, 'notice.pin'],
  ['GROUP', 'added_channel', channel, 'kook.channel_added'],
  ['GROUP', 'updated_channel', channel, 'kook.channel_updated'],
  ['GROUP', 'updated_server_type', channel, 'kook.channel_server_type_updated'],
  ['GROUP', 'deleted_channel', { id: 'c', deleted_at: 1 }, 'kook.channel_deleted'],
  ['GROUP', 'sort_channel', { guild_id: 'g', channels: [] }, 'kook.channels_sorted'],
  ['GROUP', 'batch_added_channel', [channel], 'kook.channel_added'],
  ['GROUP', 'batch_updated_channel', { updated_channel: [channel] }, 'kook.channels_batch_updated'],
  ['GROUP', 'batch_deleted_channel', [{ id: 'c' }], 'kook.channel_deleted'],
  [
    'PERSON',
    'updated_private_message',
    { msg_id: 'm', author_id: 'u', chat_code: 'cc', content: 'x' },
    'kook.private_message_updated',
  ],
  ['PERSON', 'deleted_private_message', { msg_id: 'm', author_id: 'u', chat_code: 'cc' }, 'notice.recall'],
  [
    'PERSON',
    'private_added_reaction',
    { msg_id: 'm', user_id: 'u', chat_code: 'cc', emoji: { id: 'x' } },
    'notice.reaction',
  ],
  [
    'PERSON',
    'private_deleted_reaction',
    { msg_id: 'm', user_id: 'u', chat_code: 'cc', emoji: { id: 'x' } },
    'notice.reaction',
  ],
  ['GROUP', 'joined_guild', { user_id: 'u', joined_at: 1 }, 'notice.member_increase'],
  ['GROUP', 'exited_guild', { user_id: 'u', exited_at: 1 }, 'notice.member_decrease'],
  ['GROUP', 'updated_guild_member', { user_id: 'u', nickname: 'n' }, 'notice.member_card'],
  ['PERSON', 'guild_member_online', { user_id: 'u', event_time: 1, guilds: ['g'] }, 'kook.member_online'],
  ['PERSON', 'guild_member_offline', { user_id: 'u', event_time: 1, guilds: ['g'] }, 'kook.member_offline'],
  ['GROUP', 'added_role', { role_id: 1, name: 'r' }, 'kook.role_added'],
  ['GROUP', 'deleted_role', { role_id: 1, name: 'r' }, 'kook.role_deleted'],
  ['GROUP', 'updated_role', { role_id: 1, name: 'r' }, 'kook.role_updated'],
  ['GROUP', 'updated_guild', { id: 'g', name: 'n', user_id: 'o' }, 'kook.guild_updated'],
  ['PERSON', 'updated_guild', { id: 'g', my_nickname: 'bot' }, 'kook.self_guild_updated'],
  ['GROUP', 'deleted_guild', { id: 'g', name: 'n' }, 'kook.guild_deleted'],
  ['GROUP', 'added_block_list', { operator_id: 'o', user_id: ['u'] }, 'notice.member_decrease'],
  ['GROUP', 'deleted_block_list', { operator_id: 'o', user_id: ['u'] }, 'kook.block_list_removed'],
  ['GROUP', 'added_emoji', { id: 'g/e', name: 'e' }, 'kook.emoji_added'],
  ['GROUP', 'updated_emoji', { id: 'g/e', name: 'e' }, 'kook.emoji_updated'],
  ['GROUP', 'removed_emoji', { id: 'g/e', name: 'e' }, 'kook.emoji_deleted'],
  ['GROUP', 'deleted_emoji', { id: 'g/e', name: 'e' }, 'kook.emoji_deleted'],
  ['GROUP', 'joined_channel', { user_id: 'u', channel_id: 'c', joined_at: 1 }, 'kook.voice_joined'],
  ['GROUP', 'exited_channel', { user_id: 'u', channel_id: 'c', exited_at: 1 }, 'kook.voice_left'],
  ['GROUP', 'live_status_changed', { channel, user }, 'kook.live_status'],
  ['GROUP', 'add_guild_mute', { user_id: 'u', guild_id: 'g', type: 1 }, 'notice.member_ban'],
  ['GROUP', 'delete_guild_mute', { user_id: 'u', guild_id: 'g', type: '2' }, 'notice.member_ban'],
  ['PERSON', 'user_updated', { user_id: 'u', username: 'n', avatar: 'a' }, 'notice.user_updated'],
  ['PERSON', 'self_joined_guild', { guild_id: 'g' }, 'kook.self_joined_guild'],
  ['PERSON', 'self_exited_guild', { guild_id: 'g' }, 'notice.member_decrease'],
  [
    'PERSON',
    'message_btn_click',
    { msg_id: 'm', user_id: 'u', value: 'v', target_id: 'c', channel_type: 'GROUP' },
    'kook.button_click',
  ],
]

describe('every KOOK event kind has a row', () => {
  it.each(systemCases)('%s %s → %s', (channelType, extraType, body, expected) => {
    const events = table.map(system(channelType, extraType, body), context)
    expect(events.length).toBeGreaterThan(0)
    for (const e of events) expect(kind(e)).toBe(expected)
  })

  it.each(['GROUP', 'PERSON'].flatMap((ct) => [1, 2, 3, 4, 8, 9, 10, 12].map((t) => [ct, t] as const)))(
    '%s message type %d → message',
    (channelType, type) => {
      const content =
        type === 10
          ? '[{"type":"card","modules":[]}]'
          : type >= 2 && type <= 8
            ? 'https://img.kookapp.cn/a'
            : 'hi'
      const [event, ...rest] = table.map(message(channelType, type, content), context)
      expect(rest).toEqual([])
      expect(event?.type).toBe('message')
      if (event?.type === 'message') expect(event.scene).toBe(channelType === 'GROUP' ? 'channel' : 'direct')
    },
  )

  it('reports a channel update as an update, not a deletion (the bug satori ships)', () => {
    const [event] = table.map(system('GROUP', 'updated_channel', channel), context)
    expect(event).toMatchObject({ type: 'extension', name: 'kook.channel_updated', channelId: channel.id })
  })
})

describe('mapping details a framework relies on', () => {
  it('marks the bot’s own messages as self and asks the context for roles', () => {
    const d = message('GROUP', 9, 'hi')
    d['author_id'] = BOT
    ;(d['extra'] as Record<string, unknown>)['author'] = {
      id: BOT,
      username: 'bot',
      nickname: '',
      roles: [1],
      bot: true,
    }
    const [event] = table.map(d, {
      selfId: BOT,
      roleOf: (guild, userId, roles) =>
        guild === '3987615236490215' && userId === BOT && roles[0] === 1 ? 'admin' : 'member',
    })
    expect(event).toMatchObject({
      type: 'message',
      self: true,
      sender: { id: BOT, role: 'admin', bot: true },
    })
  })

  it('gives DM senders no guild nickname and an unknown role', () => {
    const [event] = table.map(message('PERSON', 9, 'hi'), context)
    expect(event).toMatchObject({
      scene: 'direct',
      chatCode: '6d0dbc5f466171d910bff4e12c88beea',
      sender: { nickname: '', role: 'unknown' },
    })
  })

  it('takes the button click scope from body.channel_type, because d.channel_type is always PERSON', () => {
    const inDm = table.map(
      system('PERSON', 'message_btn_click', {
        msg_id: 'm',
        user_id: 'u',
        value: 'v',
        target_id: BOT,
        channel_type: 'PERSON',
      }),
      context,
    )
    const inChannel = table.map(
      system('PERSON', 'message_btn_click', {
        msg_id: 'm',
        user_id: 'u',
        value: 'v',
        target_id: 'c1',
        channel_type: 'GROUP',
        guild_id: 'g1',
      }),
      context,
    )
    expect(inDm[0]).toMatchObject({
      name: 'kook.button_click',
      scene: 'direct',
      userId: 'u',
      data: { value: 'v' },
    })
    expect(inDm[0]).not.toHaveProperty('channelId')
    expect(inChannel[0]).toMatchObject({
      name: 'kook.button_click',
      scene: 'channel',
      channelId: 'c1',
      guildId: 'g1',
    })
  })

  it('emits one member_decrease per blacklisted user, with ids as strings and distinct event ids', () => {
    const events = table.map(
      system('GROUP', 'added_block_list', { operator_id: 'o', user_id: ['u1', 22] }),
      context,
    )
    expect(
      events.map((e) => (e.type === 'notice.member_decrease' ? [e.userId, e.reason, e.eventId] : [])),
    ).toEqual([
      ['u1', 'kick', 'evt-added_block_list:0'],
      ['22', 'kick', 'evt-added_block_list:1'],
    ])
  })

  it('names the bot as the member removed by self_exited_guild', () => {
    expect(table.map(system('PERSON', 'self_exited_guild', { guild_id: 'g' }), context)[0]).toMatchObject({
      type: 'notice.member_decrease',
      guildId: 'g',
      userId: BOT,
      reason: 'kick_me',
    })
  })

  it('reads the voice mute kind whether KOOK sends it as a number or a string', () => {
    const mic = table.map(
      system('GROUP', 'add_guild_mute', { user_id: 'u', guild_id: 'g', type: '1' }),
      context,
    )[0]
    const headset = table.map(
      system('GROUP', 'delete_guild_mute', { user_id: 'u', guild_id: 'g', type: 2 }),
      context,
    )[0]
    expect(mic).toMatchObject({ type: 'notice.member_ban', banned: true, muteKind: 'mic' })
    expect(headset).toMatchObject({ type: 'notice.member_ban', banned: false, muteKind: 'headset' })
  })
})

describe('nothing is dropped silently, nothing throws', () => {
  it('sends an unknown kind on as kook.unmatched with the raw event, and counts it', () => {
    const before = metrics.total(MAPPING_METRICS.unmatched)
    const d = system('GROUP', 'brand_new_event', { x: 1 })
    const [event, ...rest] = table.map(d, context)
    expect(rest).toEqual([])
    expect(event).toMatchObject({
      type: 'extension',
      name: 'kook.unmatched',
      rowId: '(unmatched)',
      eventId: 'evt-brand_new_event',
      data: { channelType: 'GROUP', type: 255, extraType: 'brand_new_event' },
    })
    expect(event?.raw).toBe(d)
    expect(metrics.value(MAPPING_METRICS.unmatched, { kind: 'GROUP/255/brand_new_event' })).toBe(1)
    expect(metrics.total(MAPPING_METRICS.unmatched)).toBe(before + 1)
  })

  it('keeps unknown message types and scopes too', () => {
    expect(kind(table.map(message('GROUP', 7, 'x'), context)[0])).toBe('kook.unmatched')
    const broadcast = {
      channel_type: 'BROADCAST',
      type: 1,
      msg_id: 'b1',
      msg_timestamp: 1,
      extra: { type: 1 },
    }
    expect(table.map(broadcast, context)[0]).toMatchObject({ name: 'kook.broadcast', data: { type: 1 } })
  })

  it('turns a malformed event into kook.invalid naming the missing fields, and counts it', () => {
    const [event] = table.map(system('GROUP', 'joined_guild', {}), context)
    expect(event).toMatchObject({
      type: 'extension',
      name: 'kook.invalid',
      rowId: 'notice.member_increase',
      data: { missing: ['userId'] },
    })
    expect(metrics.value(MAPPING_METRICS.invalid, { row: 'notice.member_increase' })).toBe(1)
    expect(kind(table.map(system('GROUP', 'add_guild_mute', { user_id: 'u', type: 3 }), context)[0])).toBe(
      'kook.invalid',
    )
  })

  it('ignores the webhook challenge on purpose and counts it', () => {
    expect(
      table.map({ channel_type: 'WEBHOOK_CHALLENGE', type: 255, challenge: 'c', verify_token: 't' }, context),
    ).toEqual([])
    expect(metrics.value(MAPPING_METRICS.ignored, { row: 'ignore.webhook_challenge' })).toBe(1)
  })

  it('counts a forEach row that finds nothing to emit', () => {
    expect(
      table.map(system('GROUP', 'added_block_list', { operator_id: 'o', user_id: [] }), context),
    ).toEqual([])
    expect(metrics.value(MAPPING_METRICS.emptyForEach, { row: 'notice.member_decrease.blocked' })).toBe(1)
  })

  it('survives garbage input and a context that throws', () => {
    for (const garbage of [
      null,
      42,
      'text',
      [],
      { extra: null },
      { channel_type: 'GROUP', type: 255, extra: 'x' },
    ]) {
      const events = table.map(garbage as Record<string, unknown>, context)
      expect(kind(events[0])).toBe('kook.unmatched')
    }
    const roleOf = () => {
      throw new Error('guild cache down')
    }
    const [event] = table.map(message('GROUP', 9, 'hi'), { selfId: BOT, roleOf })
    expect(event).toMatchObject({
      name: 'kook.invalid',
      rowId: 'message.channel.kmarkdown',
      data: { error: 'guild cache down' },
    })
    expect(metrics.value(MAPPING_METRICS.errors, { row: 'message.channel.kmarkdown' })).toBe(1)
  })
})
