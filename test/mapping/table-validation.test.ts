/**
 * A bad table is refused at load with every problem at once, each naming file, line, row and field.
 */
import { describe, expect, it } from 'vitest'
import { isBridgeError } from '../../src/errors/bridge-error.js'
import { buildMappingTable, checkMappingSources } from '../../src/mapping/load-mapping-table.js'
import { formatMappingProblem } from '../../src/mapping/mapping-problem.js'

function problemsOf(text: string): string[] {
  return checkMappingSources([{ file: 'bad.yaml', text }], []).problems.map(formatMappingProblem)
}

describe('table validation', () => {
  it('reports every problem of a file at once, with file, line, row and field', () => {
    const text = `rows:
  - id: one
    match: { channel_type: GROUP, type: 255, extra.type: joined_guild }
    emit: notice.member_increase
    fields:
      guildId: strr(target_id)
      userId: extra.body.
  - id: two
    match: { channel_type: GROUP, type: 255, extra.type: exited_guild }
    emit: notice.member_decrease
    fields:
      guildId: target_id
      userId: str(extra.body.user_id, 1)
      reason: "'leav'"
      colour: "'red'"
  - id: one
    match: { type: 9 }
    emit: messages
`
    expect(problemsOf(text)).toEqual([
      'bad.yaml:6: row "one", fields.guildId: unknown function "strr" (did you mean "str"?) — see mappings/README.md for the registry',
      'bad.yaml:7: row "one", fields.userId: expected a field name or an array index after "." at column 12 in "extra.body."',
      'bad.yaml:13: row "two", fields.userId: str(value) takes 1 argument, got 2',
      "bad.yaml:14: row \"two\", fields.reason: reason must be one of 'leave', 'kick', 'kick_me', not 'leav'",
      'bad.yaml:15: row "two", fields.colour: notice.member_decrease has no field "colour"; its fields: eventId, time, guildId, userId, reason, operatorId',
      expect.stringMatching(/^bad\.yaml:18: row "one", emit: expected one of "message"\|"notice\.recall"/),
    ])
  })

  it('refuses missing required fields, wrong kinds and misplaced $item', () => {
    const text = `rows:
  - id: msg
    match: { channel_type: GROUP, type: 9 }
    emit: message
    fields:
      scene: "'channel'"
      messageId: msg_id
      kookType: type
      sender: extra.author
      elements: content
      plainText: $item
      self: false
`
    expect(problemsOf(text)).toEqual([
      'bad.yaml:9: row "msg", fields.sender: sender must be a sender (sender(extra.author, author_id, extra.guild_id)); this expression gives any',
      'bad.yaml:10: row "msg", fields.elements: elements must be elements (e.g. kmarkdown(content, extra.kmarkdown)); this expression gives any',
      'bad.yaml:11: row "msg", fields.plainText: $item is only available in a forEach row',
    ])
  })

  it('checks argument kinds, references and the row shape', () => {
    const text = `rows:
  - id: a
    match: { channel_type: GROUP, type: 9 }
    emit: message
    fields:
      scene: "'channel'"
      messageId: msg_id
      kookType: type
      sender: sender(extra.author, author_id, extra.guild_id)
      elements: withReply(extra.quote, content)
      plainText: textOf(@element)
      self: "@self2"
  - id: b
    match: { channel_type: 7, type: '9' }
    ignore: wrong match values
  - id: b2
    match: { type: 9 }
    emit: extension
  - id: c
    ignore: ''
  - id: d
    emit: notice.pin
    ignore: because
    surprise: 1
`
    expect(problemsOf(text)).toEqual([
      'bad.yaml:10: row "a", fields.elements: argument 2 of withReply() must be elements, got any',
      'bad.yaml:11: row "a", fields.plainText: @element names no field of this event (did you mean "elements"?)',
      'bad.yaml:12: row "a", fields.self: @self2 names no field of this event (did you mean "self"?)',
      'bad.yaml:14: row "b", match.channel_type: channel_type is a string: GROUP, PERSON, BROADCAST or WEBHOOK_CHALLENGE',
      'bad.yaml:14: row "b", match.type: type is a KOOK message type number (1, 2, 3, 4, 8, 9, 10, 12 or 255)',
      'bad.yaml:16: row "b2", name: an extension row needs a name, e.g. kook.voice_joined',
      'bad.yaml:20: row "c", ignore: give the reason for ignoring',
      'bad.yaml:21: row "d": unknown key "surprise"',
      'bad.yaml:23: row "d", ignore: a row cannot both emit and ignore',
    ])
  })

  it('reports YAML syntax errors and a wrong file shape with their line', () => {
    expect(problemsOf('rows:\n  - id: a\n    match: { type: 9\n')[0]).toMatch(
      /^bad\.yaml:[34]: YAML: Flow map/,
    )
    expect(problemsOf('row:\n  - id: a\n')).toEqual([
      'bad.yaml:1: rows: Invalid input: expected array, received undefined',
      'bad.yaml:1: unknown key "row"',
    ])
  })

  it('rejects duplicate row ids', () => {
    const row = (id: string) =>
      `  - id: ${id}\n    match: { channel_type: WEBHOOK_CHALLENGE }\n    ignore: handshake\n`
    expect(problemsOf(`rows:\n${row('x')}${row('y')}${row('x')}`)).toEqual([
      'bad.yaml:8: row "x", id: duplicate row id (first defined in bad.yaml:2)',
    ])
  })

  it('rejects field references that form a cycle', () => {
    const text = `rows:
  - id: cyc
    match: { channel_type: GROUP, type: 255, extra.type: x }
    emit: extension
    name: kook.x
    fields:
      guildId: "@userId"
      userId: "@guildId"
`
    expect(problemsOf(text)).toEqual([
      'bad.yaml:7: row "cyc", fields.guildId: fields refer to each other in a cycle: @guildId → @userId → @guildId',
    ])
  })

  it('throws one MAPPING_INVALID error listing the problems when asked to build', () => {
    try {
      buildMappingTable([
        { file: 'bad.yaml', text: 'rows:\n  - id: a\n    emit: nope\n  - id: b\n    emit: also-nope\n' },
      ])
      expect.unreachable()
    } catch (err) {
      expect(isBridgeError(err, 'MAPPING_INVALID')).toBe(true)
      if (isBridgeError(err)) {
        expect(err.message).toMatch(
          /^mapping table is invalid \(2 problems\):\n {2}bad\.yaml:3: row "a", emit: /,
        )
        expect(err.details['problems']).toHaveLength(2)
      }
    }
  })

  it('accepts the shipped table', () => {
    expect(() => buildMappingTable([])).not.toThrow()
  })
})
