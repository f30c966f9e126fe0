import { describe, expect, it } from 'vitest'
import { MessageIndex, type MessageInput } from '../../src/store/message-index.js'

const message = (msgId: string, parts: string[] = [msgId]): MessageInput => ({
  msgId,
  scene: 'channel',
  userId: '1875604312',
  time: 1_735_716_085_977,
  parts,
  channelId: '45823170298430617',
})

// `get` answers the record just put without the part map and the LRU (message-index.ts `#last`):
// these pin down that the shortcut never returns what the full lookup would not.
describe('MessageIndex lookups right after a put', () => {
  it('keeps the LRU order a plain lookup gives', () => {
    const index = new MessageIndex({ nextNumber: 1, maxMessages: 2 })
    index.put(message('a'))
    index.put(message('b'))
    expect(index.get('a')?.number).toBe(1)
    // 'b' is no longer the most recently used: this lookup must make it so.
    expect(index.get('b')?.number).toBe(2)
    index.put(message('c'))
    expect(index.get('a')).toBeUndefined()
    expect(index.get('b')?.number).toBe(2)
  })

  it('follows a msg_id re-linked to another message, even after its first record merged', () => {
    const index = new MessageIndex({ nextNumber: 1 })
    index.put(message('a', ['a', 'x']))
    index.put(message('c', ['c', 'a']))
    index.addParts('x', ['y'])
    expect(index.get('a')?.msgId).toBe('c')
    expect(index.get('x')?.parts).toEqual(['a', 'x', 'y'])
  })

  it('forgets the record once it is evicted', () => {
    const index = new MessageIndex({ nextNumber: 1, maxMessages: 1 })
    index.put(message('a'))
    index.getByNumber(0)
    expect(index.get('a')?.number).toBe(1)
    index.put(message('b'))
    expect(index.get('a')).toBeUndefined()
    expect(index.get('b')?.number).toBe(2)
  })

  it('finds an id unknown at the last lookup once another message linked it', () => {
    const index = new MessageIndex({ nextNumber: 1 })
    index.put(message('c'))
    expect(index.get('a')).toBeUndefined()
    index.addParts('c', ['a'])
    expect(index.put(message('a')).number).toBe(1)
    expect(index.cachedMessages).toBe(1)
  })
})
