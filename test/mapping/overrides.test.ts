/**
 * Override files (bots[].mappings): replace a row by id, disable it, add rows at an explicit place,
 * with the same validation as the shipped table and errors naming the override file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isBridgeError } from '../../src/errors/bridge-error.js'
import { loadMappingTable } from '../../src/mapping/load-mapping-table.js'
import { formatMappingProblem, type MappingProblem } from '../../src/mapping/mapping-problem.js'

const dir = mkdtempSync(join(tmpdir(), 'kookbridge-overrides-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

function problemsOf(overrides: string[]): string[] {
  try {
    loadMappingTable({ overrides })
  } catch (err) {
    if (isBridgeError(err, 'MAPPING_INVALID'))
      return (err.details['problems'] as MappingProblem[]).map(formatMappingProblem)
    throw err
  }
  return []
}

const context = { selfId: '3541790628' }
const joinedChannel = {
  channel_type: 'GROUP',
  type: 255,
  target_id: '6016389910000000',
  author_id: '1',
  extra: {
    type: 'joined_channel',
    body: { user_id: '2418200000', channel_id: '9219038000000', joined_at: 1612790368279 },
  },
  msg_id: '30a7f591',
  msg_timestamp: 1612790368279,
}
function kmarkdown(bot: boolean): Record<string, unknown> {
  return {
    channel_type: 'GROUP',
    type: 9,
    target_id: '4588',
    author_id: '2418239356',
    content: 'hi',
    msg_id: 'm1',
    msg_timestamp: 1,
    extra: { type: 9, guild_id: 'g', author: { id: '2418239356', username: 'b', bot } },
  }
}

describe('override files', () => {
  it('replaces a shipped row by id, keeping its place', () => {
    const path = file(
      'replace.yaml',
      `rows:
  - id: kook.voice_joined
    match: { channel_type: GROUP, type: 255, extra.type: joined_channel }
    emit: extension
    name: kook.voice_joined
    fields:
      guildId: target_id
      userId: extra.body.user_id
      data: { at: extra.body.joined_at, voice: true }
`,
    )
    const table = loadMappingTable({ overrides: [path] })
    const ex = table.explain(joinedChannel, context)
    expect(ex.row).toMatchObject({ id: 'kook.voice_joined', file: path, line: 2 })
    expect(ex.events[0]).toMatchObject({
      name: 'kook.voice_joined',
      userId: '2418200000',
      data: { at: 1612790368279, voice: true },
    })
    expect(ex.events[0]).not.toHaveProperty('channelId')
    expect(table.rows.map((r) => r.id)).toEqual(loadMappingTable().rows.map((r) => r.id))
  })

  it('disables a row: its events no longer map and travel as kook.unmatched', () => {
    const path = file('disable.yaml', 'rows:\n  - id: kook.voice_joined\n    disabled: true\n')
    const table = loadMappingTable({ overrides: [path] })
    expect(table.rows.some((r) => r.id === 'kook.voice_joined')).toBe(false)
    expect(table.map(joinedChannel, context)[0]).toMatchObject({ name: 'kook.unmatched' })
  })

  it('adds a row before an existing one, so it wins the match', () => {
    const path = file(
      'add-before.yaml',
      `rows:
  - id: my.ignore_bots
    before: message.channel.kmarkdown
    match: { channel_type: GROUP, type: 9, extra.author.bot: true }
    ignore: bots talking to each other
`,
    )
    const table = loadMappingTable({ overrides: [path] })
    expect(table.map(kmarkdown(true), context)).toEqual([])
    expect(table.map(kmarkdown(false), context)[0]).toMatchObject({
      type: 'message',
      rowId: 'message.channel.kmarkdown',
    })
    expect(table.explain(kmarkdown(false), context).candidates).toEqual([
      'my.ignore_bots',
      'message.channel.kmarkdown',
    ])
  })

  it('adds rows after a row or by priority, and applies several files in order', () => {
    const first = file(
      'first.yaml',
      `rows:
  - id: my.after
    after: kook.voice_joined
    match: { channel_type: GROUP, type: 255, extra.type: joined_channel }
    ignore: never reached, kook.voice_joined matches first
  - id: my.first
    priority: 5
    match: { type: 255, extra.type: joined_channel }
    ignore: wins over every priority-0 row
`,
    )
    const table = loadMappingTable({ overrides: [first] })
    expect(table.explain(joinedChannel, context).candidates).toEqual([
      'my.first',
      'kook.voice_joined',
      'my.after',
    ])
    expect(table.rows[0]?.id).toBe('my.first')
    expect(table.map(joinedChannel, context)).toEqual([])

    const second = file('second.yaml', 'rows:\n  - id: my.first\n    disabled: true\n')
    const both = loadMappingTable({ overrides: [first, second] })
    expect(both.explain(joinedChannel, context).candidates).toEqual(['kook.voice_joined', 'my.after'])
    expect(both.map(joinedChannel, context)[0]).toMatchObject({ name: 'kook.voice_joined' })
  })

  it('moves a replaced row when it names a new place', () => {
    const path = file(
      'move.yaml',
      `rows:
  - id: kook.button_click
    before: kook.button_click.channel
    match: { type: 255, extra.type: message_btn_click }
    emit: extension
    name: kook.button_click
    fields: { userId: extra.body.user_id }
`,
    )
    const table = loadMappingTable({ overrides: [path] })
    const ids = table.rows.map((r) => r.id)
    expect(ids.indexOf('kook.button_click')).toBe(ids.indexOf('kook.button_click.channel') - 1)
  })

  it('rejects a bad override file with every problem, naming the file, line, row and field', () => {
    const path = file(
      'bad.yaml',
      `rows:
  - id: my.new
    match: { type: 9 }
    ignore: no position given
  - id: my.anchored
    before: no.such.row
    match: { type: 9 }
    ignore: unknown anchor
  - id: my.both
    before: message.channel.text
    after: message.channel.text
    match: { type: 9 }
    ignore: two places
  - id: no.such.row
    disabled: true
  - id: kook.voice_left
    disabled: true
    ignore: stray key
  - id: kook.voice_joined
    match: { channel_type: GROUP, type: 255, extra.type: joined_channel }
    emit: extension
    name: kook.voice_joined
    fields: { userId: user(extra.body.user_id) }
  - id: kook.voice_joined
    disabled: true
`,
    )
    expect(problemsOf([path])).toEqual([
      `${path}:2: row "my.new", id: new row "my.new" needs "before: <row id>", "after: <row id>" or "priority: <number>" so its place in the match order is explicit`,
      `${path}:6: row "my.anchored", before: names no row "no.such.row"`,
      `${path}:11: row "my.both", after: give "before" or "after", not both`,
      `${path}:14: row "no.such.row", id: disables "no.such.row", but no earlier table or override file has that row`,
      `${path}:18: row "kook.voice_left", ignore: a disabling row has only id and disabled, not ignore`,
      `${path}:23: row "kook.voice_joined", fields.userId: unknown function "user" — see mappings/README.md for the registry`,
      `${path}:24: row "kook.voice_joined", id: duplicate row id in this file (first at line 19)`,
    ])
  })

  it('reports an override file that does not exist', () => {
    const missing = join(dir, 'missing.yaml')
    expect(problemsOf([missing])).toEqual([`${missing}: file not found`])
  })
})
