import { describe, expect, expectTypeOf, it } from 'vitest'
import { KookMessageType } from '../../../src/kook/wire/kook-event.js'
import { kookFrameSchema } from '../../../src/kook/wire/kook-frame.js'
import { KOOK_SYSTEM_EVENT_NAMES, kookSystemEventAliases } from '../../../src/kook/wire/kook-system-bodies.js'
import {
  type KookEventFailure,
  type ParsedKookEvent,
  parseKookEvent,
} from '../../../src/kook/wire/parse-kook-event.js'
import { Metrics } from '../../../src/util/metrics.js'
import { kookFixtureEvent, kookFixtureFiles, loadKookFixture, MESSAGE_KINDS } from './kook-fixtures.js'

type Json = Record<string, unknown>

const aliases: Readonly<Record<string, string>> = kookSystemEventAliases

function expectOk(result: ParsedKookEvent): asserts result is Exclude<ParsedKookEvent, KookEventFailure> {
  if (!result.ok) expect.fail(result.reason)
}

function expectFailure(result: ParsedKookEvent): KookEventFailure {
  if (result.ok) expect.fail(`expected a refusal, got kind ${result.kind}`)
  return result
}

function fixtureMessage(file: string) {
  const result = parseKookEvent(kookFixtureEvent(file))
  expectOk(result)
  if (result.kind !== 'message') return expect.fail(`${file}: expected a message, got ${result.kind}`)
  return result.event
}

describe('parseKookEvent on every fixture', () => {
  const files = kookFixtureFiles()

  it('has a fixture for every system event name and every documented message type', () => {
    const kinds = new Set(files.map((file) => loadKookFixture(file).kind))
    for (const name of KOOK_SYSTEM_EVENT_NAMES) expect(kinds, name).toContain(name)
    for (const alias of Object.keys(aliases)) expect(kinds, alias).toContain(alias)
    const types = new Set([...kinds].map((kind) => MESSAGE_KINDS[kind]))
    for (const type of Object.values(KookMessageType)) expect(types, `type ${type}`).toContain(type)
  })

  for (const file of files) {
    it(`accepts ${file} as what its name says`, () => {
      const { frame, scope, kind } = loadKookFixture(file)
      expect(kookFrameSchema.safeParse(frame).success).toBe(true)
      expect(frame.s).toBe(0)
      const d = frame.d
      const result = parseKookEvent(d)
      expectOk(result)
      // The event is `d` itself: downstream keeps the raw object, the parser never rebuilds it.
      expect(result.kind === 'challenge' ? undefined : result.event).toBe(d)
      expect(d['channel_type']).toBe(scope)
      const messageType = MESSAGE_KINDS[kind]
      if (messageType !== undefined) {
        expect(result.kind).toBe('message')
        expect(d['type']).toBe(messageType)
      } else {
        if (result.kind !== 'system') return expect.fail(`expected a system event, got ${result.kind}`)
        expect(result.unknown).toBe(false)
        expect(result.name).toBe(aliases[kind] ?? kind)
        expect(result.rawName).toBe(kind)
      }
    })
  }
})

describe('typed fields of the fixtures', () => {
  it('reads a seed text message as KOOK documents it, placeholder ids included', () => {
    const event = fixtureMessage('GROUP.text.json')
    expect(event.content).toBe('dddd')
    expect(event.msg_id).toBe('67637d4c-xxxx-xxxx-xxxx-xxxxx')
    expect(event.extra.author).toMatchObject({ id: 'xxxxx', username: 'xxxxx', roles: [] })
    expect(event.extra.guild_id).toBe('xxxxx')
    expect(event.extra.code).toBe('')
  })

  it('reads media attachments (image, video, file, audio)', () => {
    expect(fixtureMessage('GROUP.image.json').extra.attachments).toMatchObject({
      type: 'image',
      url: 'https://img.kaiheila.cn/assets/2020-12/IHT5x5oSLA07o03m.jpg',
    })
    expect(fixtureMessage('GROUP.video.json').extra.attachments).toMatchObject({
      type: 'video',
      duration: 15.673,
    })
    expect(fixtureMessage('GROUP.file.json').extra.attachments).toMatchObject({
      file_type: 'text/plain',
      size: 7320,
    })
    expect(fixtureMessage('GROUP.audio.json').extra.attachments).toMatchObject({
      type: 'audio',
      duration: 6.24,
    })
  })

  it('reads a DM: chat code, no guild', () => {
    const event = fixtureMessage('PERSON.kmarkdown.json')
    expect(event.extra.code).toMatch(/^[0-9a-f]{32}$/)
    expect(event.extra.guild_id).toBeUndefined()
    expect(event.target_id).toBe('3541790628')
  })

  it('reads user, role and channel mentions, keeping a 17-digit channel id exact', () => {
    const { extra } = fixtureMessage('GROUP.kmarkdown-mentions.json')
    expect(extra.mention).toEqual(['1875604312'])
    expect(extra.mention_roles).toEqual([2581])
    expect(extra.nav_channels).toEqual(['45823170298430617'])
    expect(extra.kmarkdown?.mention_part?.[0]?.full_name).toBe('爱丽丝#2718')
    expect(extra.kmarkdown?.mention_role_part?.[0]).toMatchObject({ role_id: 2581, name: '管理员' })
    expect(extra.kmarkdown?.channel_part?.[0]?.id).toBe('45823170298430617')
  })

  it('reads @all / @here, a quote with rong_id, and a bot author', () => {
    expect(fixtureMessage('GROUP.kmarkdown-all.json').extra).toMatchObject({
      mention_all: true,
      mention_here: true,
    })
    const quote = fixtureMessage('GROUP.kmarkdown-quote.json').extra.quote
    expect(quote?.rong_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(quote?.rong_id).not.toBe(quote?.id)
    expect(quote?.author?.username).toBe('Bob')
    expect(fixtureMessage('GROUP.kmarkdown-bot.json').extra.author.bot).toBe(true)
  })

  it('keeps card JSON as a string and a type-12 item content as an object', () => {
    const card = fixtureMessage('GROUP.card.json')
    expect(typeof card.content).toBe('string')
    const modules = (JSON.parse(card.content as string) as { modules: { type: string }[] }[])[0]?.modules
    expect(modules?.map((m) => m.type)).toEqual(['section', 'container', 'file'])
    const item = fixtureMessage('GROUP.item.json')
    expect(item.content).toEqual({
      type: 'item',
      data: { user_id: '2418239356', target_id: '1875604312', item_id: 34 },
    })
  })

  it('narrows system bodies by name, normalising channel flags, batch arrays and string codes', () => {
    const check = (file: string) => {
      const result = parseKookEvent(kookFixtureEvent(file))
      expectOk(result)
      if (result.kind !== 'system' || result.unknown) return expect.fail(`${file}: not a known system event`)
      return result
    }
    const added = check('GROUP.added_channel.json')
    if (added.name !== 'added_channel') return expect.fail(added.name)
    expectTypeOf(added.event.extra.body.is_category).toEqualTypeOf<boolean | undefined>()
    expect(added.event.extra.body).toMatchObject({ id: '53002000000000', is_category: false, level: null })

    const batch = check('GROUP.batch_added_channel.json')
    if (batch.name !== 'batch_added_channel') return expect.fail(batch.name)
    expect(batch.event.extra.body.map((channel) => channel.type)).toEqual([1, 2])

    const deleted = check('GROUP.batch_deleted_channel.json')
    if (deleted.name !== 'batch_deleted_channel') return expect.fail(deleted.name)
    expect(deleted.event.extra.body.map((channel) => channel.id)).toEqual([
      '4588163096275438',
      '9374016258342071',
    ])

    const unmute = check('GROUP.delete_guild_mute.json')
    if (unmute.name !== 'delete_guild_mute') return expect.fail(unmute.name)
    expect(unmute.event.extra.body.type).toBe(2) // sent as "2"

    const blocked = check('GROUP.added_block_list.json')
    if (blocked.name !== 'added_block_list') return expect.fail(blocked.name)
    expect(blocked.event.extra.body.user_id).toEqual(['3751918xx', 'xxxxxxxxx'])

    const legacyJoin = check('GROUP.joined_guild-2.json')
    if (legacyJoin.name !== 'joined_guild') return expect.fail(legacyJoin.name)
    expect(legacyJoin.event.extra.body.user_id ?? legacyJoin.event.extra.body.id).toBe('xxxxx')
  })

  it('tells PERSON updated_guild (own nickname) from GROUP updated_guild by channel_type', () => {
    for (const file of ['PERSON.updated_guild.json', 'GROUP.updated_guild.json']) {
      const result = parseKookEvent(kookFixtureEvent(file))
      expectOk(result)
      if (result.kind !== 'system' || result.unknown || result.name !== 'updated_guild')
        return expect.fail(file)
      const event = result.event
      if (event.channel_type === 'PERSON') {
        expectTypeOf(event.extra.body.my_nickname).toEqualTypeOf<string | undefined>()
        expect(event.extra.body).toMatchObject({ id: '3987615236490215', my_nickname: '值班小助手' })
      } else {
        expect(event.extra.body).toMatchObject({ id: '601630000000', name: 'test111', enable_open: true })
      }
    }
  })

  it('exposes the real scope of a button click in body.channel_type', () => {
    const result = parseKookEvent(kookFixtureEvent('PERSON.message_btn_click-group.json'))
    expectOk(result)
    if (result.kind !== 'system' || result.unknown || result.name !== 'message_btn_click')
      return expect.fail()
    expect(result.event.channel_type).toBe('PERSON')
    expect(result.event.extra.body).toMatchObject({ channel_type: 'GROUP', target_id: '45823170298430617' })
    expect(result.event.extra.body.user_info?.username).toBe('爱丽丝')
  })
})

describe('leniency and normalisation', () => {
  it('turns numeric mention ids (old events) into strings', () => {
    const d = kookFixtureEvent('GROUP.kmarkdown-mentions.json')
    const extra = d['extra'] as Json
    extra['mention'] = [1875604312, '2418239356']
    extra['nav_channels'] = [4588163096275438]
    const event = parsedMessage(d)
    expect(event.extra.mention).toEqual(['1875604312', '2418239356'])
    expect(event.extra.nav_channels).toEqual(['4588163096275438'])
    // …and the raw object downstream keeps is the normalised one.
    expect((d['extra'] as Json)['mention']).toEqual(['1875604312', '2418239356'])
  })

  it('turns numeric ids in system bodies and the envelope into strings', () => {
    const d = kookFixtureEvent('GROUP.updated_message.json')
    const body = (d['extra'] as Json)['body'] as Json
    body['mention'] = [2418239356]
    d['target_id'] = 60163899100000
    const result = parseKookEvent(d)
    expectOk(result)
    if (result.kind !== 'system' || result.unknown || result.name !== 'updated_message') return expect.fail()
    expect(result.event.extra.body.mention).toEqual(['2418239356'])
    expect(result.event.target_id).toBe('60163899100000')
  })

  it('normalises deleted_emoji to removed_emoji and keeps the name KOOK sent', () => {
    const deleted = parseKookEvent(kookFixtureEvent('GROUP.deleted_emoji.json'))
    const removed = parseKookEvent(kookFixtureEvent('GROUP.removed_emoji.json'))
    expectOk(deleted)
    expectOk(removed)
    if (deleted.kind !== 'system' || removed.kind !== 'system') return expect.fail()
    expect(deleted.name).toBe('removed_emoji')
    expect(removed.name).toBe('removed_emoji')
    expect(deleted.rawName).toBe('deleted_emoji')
    expect(deleted.event.extra.type).toBe('deleted_emoji')
    expect(removed.rawName).toBe('removed_emoji')
  })

  it('keeps an unknown system event with its body raw and unchecked', () => {
    const d = kookFixtureEvent('GROUP.joined_channel.json')
    const extra = d['extra'] as Json
    const body = { anything: [1, 'two'], user_id: false }
    extra['type'] = 'guild_boost_started'
    extra['body'] = body
    const result = parseKookEvent(d)
    expectOk(result)
    if (result.kind !== 'system') return expect.fail(result.kind)
    expect(result).toMatchObject({
      name: 'guild_boost_started',
      rawName: 'guild_boost_started',
      unknown: true,
    })
    expect(result.event.extra.body).toBe(body)
  })

  it('does not treat Object.prototype names as known events', () => {
    const d = kookFixtureEvent('GROUP.joined_channel.json')
    ;(d['extra'] as Json)['type'] = 'constructor'
    const result = parseKookEvent(d)
    expectOk(result)
    expect(result).toMatchObject({ kind: 'system', unknown: true, name: 'constructor' })
  })

  it('keeps a message of an undocumented type', () => {
    const d = kookFixtureEvent('GROUP.text.json')
    d['type'] = 7
    ;(d['extra'] as Json)['type'] = 7
    expect(parseKookEvent(d)).toMatchObject({ ok: true, kind: 'message', event: { type: 7 } })
  })

  it('keeps fields it does not know, at every level', () => {
    const d = kookFixtureEvent('GROUP.kmarkdown-quote.json')
    d['future_top'] = 1
    const extra = d['extra'] as Json
    extra['interact_res'] = { score: 3 }
    ;(extra['author'] as Json)['decoration'] = 'gold'
    ;(extra['quote'] as Json)['future_quote'] = true
    const event = parsedMessage(d) as unknown as Json
    expect(event['future_top']).toBe(1)
    expect(event['extra']).toMatchObject({
      interact_res: { score: 3 },
      author: { decoration: 'gold' },
      quote: { future_quote: true },
    })
  })

  it('reads "no attachment" ([]) and "no quote" ("") as null, and 0/1 and "702" where KOOK mixes types', () => {
    const d = kookFixtureEvent('GROUP.text.json')
    const extra = d['extra'] as Json
    extra['attachments'] = []
    extra['quote'] = ''
    extra['mention_roles'] = ['702', 109472]
    extra['mention_all'] = 0
    d['msg_timestamp'] = '1607674740160'
    d['nonce'] = null
    const event = parsedMessage(d)
    expect(event.extra.attachments).toBeNull()
    expect(event.extra.quote).toBeNull()
    expect(event.extra.mention_roles).toEqual([702, 109472])
    expect(event.extra.mention_all).toBe(false)
    expect(event.msg_timestamp).toBe(1607674740160)
    expect(event.nonce).toBe('')
  })

  it('answers the webhook challenge', () => {
    const d = {
      type: 255,
      channel_type: 'WEBHOOK_CHALLENGE',
      challenge: 'bkI1pMYkeD',
      verify_token: 'Vt5mQe0c',
    }
    expect(parseKookEvent(d)).toEqual({
      ok: true,
      kind: 'challenge',
      challenge: 'bkI1pMYkeD',
      verifyToken: 'Vt5mQe0c',
      event: d,
    })
    const noToken = parseKookEvent({ type: 255, channel_type: 'WEBHOOK_CHALLENGE', challenge: 'x' })
    expect(noToken).not.toHaveProperty('verifyToken')
  })
})

/** Parses an already-adjusted `d` that must be a message. */
function parsedMessage(d: Json) {
  const result = parseKookEvent(d)
  expectOk(result)
  if (result.kind !== 'message') return expect.fail(result.kind)
  return result.event
}

describe('refusals', () => {
  const cases: {
    name: string
    file: string
    mutate: (d: Json) => void
    field: string
    stage: KookEventFailure['stage']
    mentions?: RegExp
  }[] = [
    {
      name: 'channel_type missing',
      file: 'GROUP.text.json',
      mutate: (d) => delete d['channel_type'],
      field: 'channel_type',
      stage: 'envelope',
    },
    {
      name: 'channel_type unknown',
      file: 'GROUP.text.json',
      mutate: (d) => (d['channel_type'] = 'GUILD'),
      field: 'channel_type',
      stage: 'envelope',
      mentions: /"GUILD"/,
    },
    {
      name: 'type not a number',
      file: 'GROUP.text.json',
      mutate: (d) => (d['type'] = '1'),
      field: 'type',
      stage: 'envelope',
      mentions: /"1"/,
    },
    {
      name: 'type fractional',
      file: 'GROUP.text.json',
      mutate: (d) => (d['type'] = 1.5),
      field: 'type',
      stage: 'envelope',
    },
    {
      name: 'msg_id missing',
      file: 'GROUP.text.json',
      mutate: (d) => delete d['msg_id'],
      field: 'msg_id',
      stage: 'envelope',
      mentions: /\(no msg_id\)/,
    },
    {
      name: 'target_id an object',
      file: 'GROUP.text.json',
      mutate: (d) => (d['target_id'] = {}),
      field: 'target_id',
      stage: 'envelope',
    },
    {
      name: 'msg_timestamp text',
      file: 'GROUP.text.json',
      mutate: (d) => (d['msg_timestamp'] = 'yesterday'),
      field: 'msg_timestamp',
      stage: 'envelope',
    },
    {
      name: 'extra missing on a message',
      file: 'GROUP.text.json',
      mutate: (d) => delete d['extra'],
      field: 'extra',
      stage: 'envelope',
    },
    {
      name: 'extra an array',
      file: 'GROUP.image.json',
      mutate: (d) => (d['extra'] = []),
      field: 'extra',
      stage: 'envelope',
      mentions: /array/,
    },
    {
      name: 'content a number',
      file: 'GROUP.text.json',
      mutate: (d) => (d['content'] = 42),
      field: 'content',
      stage: 'message',
    },
    {
      name: 'author missing',
      file: 'GROUP.text.json',
      mutate: (d) => delete (d['extra'] as Json)['author'],
      field: 'extra.author',
      stage: 'message',
    },
    {
      name: 'author id a boolean',
      file: 'GROUP.kmarkdown-bot.json',
      mutate: (d) => (((d['extra'] as Json)['author'] as Json)['id'] = true),
      field: 'extra.author.id',
      stage: 'message',
      mentions: /boolean/,
    },
    {
      name: 'a mention of the wrong type',
      file: 'GROUP.kmarkdown-mentions.json',
      mutate: (d) => ((d['extra'] as Json)['mention'] = ['1', false]),
      field: 'extra.mention[1]',
      stage: 'message',
    },
    {
      name: 'attachment without url',
      file: 'GROUP.image.json',
      mutate: (d) => delete ((d['extra'] as Json)['attachments'] as Json)['url'],
      field: 'extra.attachments.url',
      stage: 'message',
    },
    {
      name: 'system event without a name',
      file: 'GROUP.joined_channel.json',
      mutate: (d) => delete (d['extra'] as Json)['type'],
      field: 'extra.type',
      stage: 'system',
    },
    {
      name: 'body missing',
      file: 'GROUP.joined_channel.json',
      mutate: (d) => delete (d['extra'] as Json)['body'],
      field: 'extra.body',
      stage: 'system',
    },
    {
      name: 'body missing its user',
      file: 'GROUP.joined_channel.json',
      mutate: (d) => delete ((d['extra'] as Json)['body'] as Json)['user_id'],
      field: 'extra.body.user_id',
      stage: 'system',
      mentions: /joined_channel/,
    },
    {
      name: 'joined_guild with neither user_id nor id',
      file: 'GROUP.joined_guild.json',
      mutate: (d) => delete ((d['extra'] as Json)['body'] as Json)['user_id'],
      field: 'extra.body.user_id',
      stage: 'system',
    },
    {
      name: 'batch body an object, not an array',
      file: 'GROUP.batch_added_channel.json',
      mutate: (d) => ((d['extra'] as Json)['body'] = { id: '1' }),
      field: 'extra.body',
      stage: 'system',
    },
    {
      name: 'batch element without id',
      file: 'GROUP.batch_deleted_channel.json',
      mutate: (d) => ((d['extra'] as Json)['body'] = [{ id: '1' }, {}]),
      field: 'extra.body[1].id',
      stage: 'system',
    },
    {
      name: 'block list user_id not a list',
      file: 'GROUP.added_block_list.json',
      mutate: (d) => (((d['extra'] as Json)['body'] as Json)['user_id'] = '3751918'),
      field: 'extra.body.user_id',
      stage: 'system',
    },
    {
      name: 'reaction without emoji',
      file: 'GROUP.added_reaction.json',
      mutate: (d) => delete ((d['extra'] as Json)['body'] as Json)['emoji'],
      field: 'extra.body.emoji',
      stage: 'system',
    },
    {
      name: 'PERSON updated_guild without id',
      file: 'PERSON.updated_guild.json',
      mutate: (d) => delete ((d['extra'] as Json)['body'] as Json)['id'],
      field: 'extra.body.id',
      stage: 'system',
    },
    {
      name: 'challenge without challenge',
      file: 'GROUP.text.json',
      mutate: (d) => {
        for (const k of Object.keys(d)) delete d[k]
        d['channel_type'] = 'WEBHOOK_CHALLENGE'
      },
      field: 'challenge',
      stage: 'challenge',
    },
  ]

  for (const c of cases) {
    it(`refuses ${c.name}, naming ${c.field || 'the event'}, and leaves the event untouched`, () => {
      const d = kookFixtureEvent(c.file)
      c.mutate(d)
      const before = structuredClone(d)
      const failure = expectFailure(parseKookEvent(d))
      expect(failure.field).toBe(c.field)
      expect(failure.stage).toBe(c.stage)
      expect(failure.raw).toBe(d)
      expect(failure.reason).toContain(c.field)
      if (typeof d['msg_id'] === 'string' && c.stage !== 'challenge') {
        expect(failure.msgId).toBe(d['msg_id'])
        expect(failure.reason).toContain(d['msg_id'])
      }
      if (c.mentions) expect(failure.reason).toMatch(c.mentions)
      // A refused event stays as KOOK sent it, for raw passthrough.
      expect(d).toEqual(before)
    })
  }

  it('does not normalise anything on an event it refuses', () => {
    const d = kookFixtureEvent('GROUP.kmarkdown-mentions.json')
    d['target_id'] = 4588163096275438
    d['nonce'] = null
    ;(d['extra'] as Json)['mention'] = [1875604312]
    delete ((d['extra'] as Json)['author'] as Json)['id']
    expectFailure(parseKookEvent(d))
    expect(d['target_id']).toBe(4588163096275438)
    expect(d['nonce']).toBeNull()
    expect((d['extra'] as Json)['mention']).toEqual([1875604312])
  })

  it('refuses what is not an object at all', () => {
    for (const input of [null, undefined, 'text', 42, [], [{}]]) {
      const failure = expectFailure(parseKookEvent(input))
      expect(failure).toMatchObject({ stage: 'envelope', field: '' })
      expect(failure.raw).toBe(input)
    }
  })

  it('names the system event in a refused body', () => {
    const d = kookFixtureEvent('GROUP.deleted_emoji.json')
    delete ((d['extra'] as Json)['body'] as Json)['id']
    const failure = expectFailure(parseKookEvent(d))
    expect(failure.name).toBe('removed_emoji')
    expect(failure.reason).toContain('"deleted_emoji"')
  })
})

describe('metrics', () => {
  it('counts refused events by stage and unknown system events by name', () => {
    const metrics = new Metrics()
    const bad = kookFixtureEvent('GROUP.text.json')
    delete bad['extra']
    parseKookEvent(bad, metrics)
    const badBody = kookFixtureEvent('GROUP.joined_channel.json')
    ;(badBody['extra'] as Json)['body'] = []
    parseKookEvent(badBody, metrics)
    const unknown = kookFixtureEvent('GROUP.joined_channel.json')
    ;(unknown['extra'] as Json)['type'] = 'brand_new_event'
    parseKookEvent(unknown, metrics)
    parseKookEvent(kookFixtureEvent('GROUP.text.json'), metrics)

    expect(metrics.value('kook_events_invalid_total', { stage: 'envelope', name: '' })).toBe(1)
    expect(metrics.value('kook_events_invalid_total', { stage: 'system', name: 'joined_channel' })).toBe(1)
    expect(metrics.value('kook_system_events_unknown_total', { name: 'brand_new_event' })).toBe(1)
    expect(metrics.total('kook_events_invalid_total')).toBe(2)
  })
})
