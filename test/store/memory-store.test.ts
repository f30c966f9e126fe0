import { describe, expect, it } from 'vitest'
import { MemoryStore } from '../../src/store/memory-store.js'
import { channelMessage, describeBridgeStoreContract } from './bridge-store.contract.js'

describeBridgeStoreContract('MemoryStore', () => new MemoryStore())

describe('MemoryStore', () => {
  it('keeps nothing across instances: each is a fresh identity space', () => {
    const first = new MemoryStore()
    first.putMessage(channelMessage('m1'))
    first.close()
    const second = new MemoryStore()
    expect(second.getMessage('m1')).toBeUndefined()
    expect(second.putMessage(channelMessage('m2')).number).toBe(1)
    second.close()
  })
})
