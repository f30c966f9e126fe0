import { describe, expect, it } from 'vitest'
import { loadMappingTable } from '../../src/mapping/load-mapping-table.js'
import { acceptByProfile, defaultProfile, makeProfile } from '../../src/mapping/profile.js'
import type { BridgeEvent } from '../../src/model/bridge-event.js'

const BOT = '3541790628'
const table = loadMappingTable()

function messageFrom(authorId: string, bot: boolean): BridgeEvent {
  const [event] = table.map(
    {
      channel_type: 'GROUP',
      type: 9,
      target_id: 'c',
      author_id: authorId,
      content: 'hi',
      msg_id: `m-${authorId}`,
      msg_timestamp: 1,
      extra: { type: 9, guild_id: 'g', author: { id: authorId, username: 'x', bot } },
    },
    { selfId: BOT },
  )
  if (event === undefined) throw new Error('no event')
  return event
}

describe('profiles', () => {
  it('default to group channels, dropping the bot’s own messages and keeping other bots', () => {
    expect(defaultProfile).toEqual({ channelAs: 'group', selfMessages: 'drop', otherBots: 'keep' })
    expect(makeProfile({ channelAs: 'guild' })).toEqual({
      channelAs: 'guild',
      selfMessages: 'drop',
      otherBots: 'keep',
    })
  })

  it('drop the bot’s own echoes unless asked to keep them', () => {
    const own = messageFrom(BOT, true)
    expect(acceptByProfile(own, defaultProfile)).toBe(false)
    expect(acceptByProfile(own, makeProfile({ selfMessages: 'keep' }))).toBe(true)
  })

  it('drop other bots only when asked, to avoid bot loops', () => {
    const otherBot = messageFrom('999', true)
    expect(acceptByProfile(otherBot, defaultProfile)).toBe(true)
    expect(acceptByProfile(otherBot, makeProfile({ otherBots: 'drop' }))).toBe(false)
    expect(acceptByProfile(messageFrom('1000', false), makeProfile({ otherBots: 'drop' }))).toBe(true)
  })

  it('never filter notices or extension events', () => {
    const [recall] = table.map(
      {
        channel_type: 'GROUP',
        type: 255,
        target_id: 'g',
        extra: { type: 'deleted_message', body: { msg_id: 'm', channel_id: 'c' } },
        msg_id: 'e',
        msg_timestamp: 1,
      },
      { selfId: BOT },
    )
    expect(recall && acceptByProfile(recall, makeProfile({ selfMessages: 'drop', otherBots: 'drop' }))).toBe(
      true,
    )
  })

  it('refuse unknown policy values', () => {
    expect(() => makeProfile({ channelAs: 'server' as 'group' })).toThrow()
  })
})
