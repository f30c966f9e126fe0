/** The CLI verbs `kookbridge mappings check` and `kookbridge explain` (src/cli/mappings-command.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { runExplain, runMappingsCheck } from '../../src/cli/mappings-command.js'

const dir = mkdtempSync(join(tmpdir(), 'kookbridge-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function capture() {
  const out = { stdout: '', stderr: '' }
  return { out, io: { stdout: (s: string) => (out.stdout += s), stderr: (s: string) => (out.stderr += s) } }
}

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/kook/${name}`, import.meta.url))

describe('kookbridge mappings check', () => {
  it('says OK with the row count for the shipped table', () => {
    const { out, io } = capture()
    expect(runMappingsCheck([], io)).toBe(0)
    expect(out.stdout).toMatch(/^OK: \d+ rows \(1 ignore\)\n$/)
    expect(out.stderr).toBe('')
  })

  it('lists every problem of the overrides and exits 1', () => {
    const bad = file(
      'bad.yaml',
      'rows:\n  - id: x\n    match: { type: 9 }\n    emit: extension\n    name: kook.x\n    fields: { userId: strr(author_id) }\n',
    )
    const { out, io } = capture()
    expect(runMappingsCheck([bad], io)).toBe(1)
    expect(out.stdout).toBe('')
    expect(out.stderr).toBe(
      `${bad}:2: row "x", id: new row "x" needs "before: <row id>", "after: <row id>" or "priority: <number>" so its place in the match order is explicit\n` +
        `${bad}:6: row "x", fields.userId: unknown function "strr" (did you mean "str"?) — see mappings/README.md for the registry\n` +
        '2 problems found; the table was not loaded\n',
    )
  })
})

describe('kookbridge explain', () => {
  it('prints the matched row and the BridgeEvent of a full frame, without the raw event', () => {
    const { out, io } = capture()
    expect(runExplain(fixture('GROUP.joined_guild.json'), io)).toBe(0)
    expect(out.stdout).toMatch(
      /^row: notice\.member_increase \(mappings\/notices\.yaml:\d+\) — emits notice\.member_increase\nBridgeEvent:\n\{\n/,
    )
    const json = JSON.parse(out.stdout.slice(out.stdout.indexOf('{')))
    expect(json).toMatchObject({
      type: 'notice.member_increase',
      userId: '3891000000',
      guildId: '60163000000000',
    })
    expect(json).not.toHaveProperty('raw')
  })

  it('accepts a bare event, takes the bot id from a PERSON target, and runs protocol renderers', () => {
    const bare = file(
      'self-exit.json',
      JSON.stringify({
        channel_type: 'PERSON',
        type: 255,
        target_id: '3541790628',
        extra: { type: 'self_exited_guild', body: { guild_id: 'g' } },
        msg_id: 'e',
        msg_timestamp: 1,
      }),
    )
    const { out, io } = capture()
    const renderer = (e: { type: string }) => ({
      name: 'onebot',
      output: { notice_type: e.type === 'notice.member_decrease' ? 'group_decrease' : '?' },
    })
    expect(runExplain(bare, io, [renderer])).toBe(0)
    expect(out.stdout).toContain('"userId": "3541790628"')
    expect(out.stdout).toContain('onebot:\n{\n  "notice_type": "group_decrease"\n}\n')
  })

  it('shows ignored and unmatched events for what they are', () => {
    const challenge = file(
      'challenge.json',
      JSON.stringify({ s: 0, d: { channel_type: 'WEBHOOK_CHALLENGE', type: 255, challenge: 'x' } }),
    )
    const unknown = file(
      'unknown.json',
      JSON.stringify({
        channel_type: 'GROUP',
        type: 255,
        extra: { type: 'future_thing' },
        msg_id: 'e',
        msg_timestamp: 1,
      }),
    )
    const a = capture()
    expect(runExplain(challenge, a.io)).toBe(0)
    expect(a.out.stdout).toMatch(
      /^row: ignore\.webhook_challenge \(mappings\/extensions\.yaml:\d+\) — ignored: answered by the webhook receiver/,
    )
    expect(a.out.stdout).toContain('BridgeEvents (0):\n[]\n')
    const b = capture()
    expect(runExplain(unknown, b.io)).toBe(0)
    expect(b.out.stdout).toMatch(/^row: none matched; the event travels as kook\.unmatched \(counted\)\n/)
    expect(b.out.stdout).toContain('"name": "kook.unmatched"')
  })

  it('exits 2 on an unreadable event file and 1 when a renderer fails', () => {
    const a = capture()
    expect(runExplain(file('broken.json', '{'), a.io)).toBe(2)
    expect(a.out.stderr).toMatch(/broken\.json: cannot read a KOOK event: /)
    const b = capture()
    const failing = () => {
      throw new Error('no encoder yet')
    }
    expect(runExplain(fixture('GROUP.joined_guild.json'), b.io, [failing])).toBe(1)
    expect(b.out.stderr).toBe('a renderer failed: no encoder yet\n')
  })
})
