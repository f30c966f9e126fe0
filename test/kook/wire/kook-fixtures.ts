/**
 * Loads the KOOK event fixtures (test/fixtures/kook/*.json, one full frame `{s, d, sn}` each) and reads
 * what each one is from its name: `<channel_type>.<kind>[-<variant>].json`, where `kind` is the message
 * kind (text, image, … see MESSAGE_KINDS) or the system event name (`extra.type` as KOOK sends it).
 * Every call returns fresh objects: the parser normalises events in place.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const KOOK_FIXTURE_DIR = fileURLToPath(new URL('../../fixtures/kook/', import.meta.url))

/** Message kind in a fixture name → KOOK message type. */
export const MESSAGE_KINDS: Readonly<Record<string, number>> = {
  text: 1,
  image: 2,
  video: 3,
  file: 4,
  audio: 8,
  kmarkdown: 9,
  card: 10,
  item: 12,
}

export interface KookFixture {
  file: string
  /** `d.channel_type` the name promises. */
  scope: string
  /** Message kind or system event name, as written in the file name. */
  kind: string
  variant: string | undefined
  frame: { s: number; d: Record<string, unknown>; sn?: number }
}

const NAME = /^(GROUP|PERSON|BROADCAST)\.([a-z_]+)(?:-([a-z0-9]+))?\.json$/

export function kookFixtureFiles(): string[] {
  return readdirSync(KOOK_FIXTURE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
}

export function loadKookFixture(file: string): KookFixture {
  const match = NAME.exec(file)
  if (match === null) throw new Error(`fixture name does not follow <SCOPE>.<kind>[-variant].json: ${file}`)
  const frame = JSON.parse(readFileSync(`${KOOK_FIXTURE_DIR}${file}`, 'utf8')) as KookFixture['frame']
  return { file, scope: match[1]!, kind: match[2]!, variant: match[3], frame }
}

/** A fresh copy of the `d` of one fixture. */
export function kookFixtureEvent(file: string): Record<string, unknown> {
  return loadKookFixture(file).frame.d
}
