import { status } from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import { describe, expect, it } from 'vitest'
import { USER_ID } from '../support/bridge-events.js'
import { startEndpoint } from '../support/endpoint-harness.js'
import { failure } from '../support/expect-status.js'

describe('FriendService', () => {
  it('maps uin ↔ uid as the same KOOK id (koishi resolves every @ through GetUidByUin)', async () => {
    const { client } = await startEndpoint()
    const byUin = await client.unary('kritor.friend.FriendService/GetUidByUin', {
      target_uins: [USER_ID, '45823170298430617'],
    })
    // protobufjs clients key 64-bit maps by an 8-byte "long hash"; decode it back to the number.
    const uidMap = Object.entries(byUin.response['uid_map'] as Record<string, string>).map(([hash, uid]) => [
      protobuf.util.LongBits.fromHash(hash).toLong(true).toString(),
      uid,
    ])
    expect(uidMap).toEqual([
      [USER_ID, USER_ID],
      ['45823170298430617', '45823170298430617'],
    ])
    const byUid = await client.unary('kritor.friend.FriendService/GetUinByUid', { target_uids: [USER_ID] })
    expect(byUid.response).toEqual({ uin_map: { [USER_ID]: USER_ID } })
    const error = await failure(
      client.unary('kritor.friend.FriendService/GetUinByUid', { target_uids: ['u_1'] }),
    )
    expect([error.code, error.details]).toEqual([
      status.INVALID_ARGUMENT,
      'target_uids[0] must be a KOOK user id (decimal digits), got "u_1"',
    ])
  })

  it('lists the DM sessions as friends, and profile cards from KOOK users', async () => {
    const { client, ops } = await startEndpoint()
    ops.handlers.listDirectSessions = () => [
      { chatCode: 'c1', user: { id: USER_ID, name: 'Alice', bot: false } },
    ]
    ops.handlers.getUser = (op) => ({ id: op.userId, name: 'Alice', identifyNum: '2718', bot: false })
    const { response } = await client.unary('kritor.friend.FriendService/GetFriendList', {})
    expect(response['friends_info']).toEqual([
      expect.objectContaining({ uid: USER_ID, uin: USER_ID, nick: 'Alice', group_id: 0 }),
    ])
    const cards = await client.unary('kritor.friend.FriendService/GetStrangerProfileCard', {
      target_uins: [USER_ID],
    })
    expect(cards.response['strangers_profile_card']).toEqual([
      expect.objectContaining({ uid: USER_ID, uin: USER_ID, nick: 'Alice', qid: 'Alice#2718' }),
    ])
  })
})
