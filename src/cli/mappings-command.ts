/**
 * CLI verbs of the mapping table:
 * - `kookbridge mappings check [override files…]`: validates the shipped table plus the overrides and
 *   prints either the row count or every problem (file:line, row, field) — exit code 1 on problems;
 * - `kookbridge explain <kook-event.json>`: shows which row matches a KOOK event (a full frame {s,d,sn} or
 *   just `d`), the BridgeEvent it becomes, and what each registered protocol renderer makes of it.
 *
 * I/O is passed in (`io`), so tests and the CLI entry point share the code.
 */
import { readFileSync } from 'node:fs'
import { isBridgeError } from '../errors/bridge-error.js'
import { type LoadMappingTableOptions, loadMappingTable } from '../mapping/load-mapping-table.js'
import type { MappingContext } from '../mapping/mapping-context.js'
import { formatMappingProblem, type MappingProblem } from '../mapping/mapping-problem.js'
import type { MappingTable } from '../mapping/mapping-table.js'
import type { BridgeEvent } from '../model/bridge-event.js'

export interface CommandIo {
  stdout(s: string): void
  stderr(s: string): void
}

/** Turns a BridgeEvent into what one protocol endpoint would send (e.g. kritor, OneBot v11). */
export type ExplainRenderer = (event: BridgeEvent) => { name: string; output: unknown }

export interface MappingsCommandOptions {
  /** Directory of the shipped table (tests). @defaultValue the package's mappings/ */
  dir?: string
}

export interface ExplainOptions extends MappingsCommandOptions {
  overrides?: readonly string[]
  /**
   * The bot's user id for `self` and `kick_me`. @defaultValue for a PERSON event its `target_id` (the
   * receiving user is the bot), otherwise empty
   */
  selfId?: string
}

/** Loads the table or reports why not; undefined when it is invalid. */
function tryLoad(options: LoadMappingTableOptions, io: CommandIo): MappingTable | undefined {
  try {
    return loadMappingTable(options)
  } catch (err) {
    if (!isBridgeError(err, 'MAPPING_INVALID')) throw err
    const problems = (err.details['problems'] ?? []) as MappingProblem[]
    for (const p of problems) io.stderr(`${formatMappingProblem(p)}\n`)
    io.stderr(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} found; the table was not loaded\n`,
    )
    return undefined
  }
}

export function runMappingsCheck(
  files: readonly string[],
  io: CommandIo,
  options: MappingsCommandOptions = {},
): number {
  const load: LoadMappingTableOptions = { overrides: files }
  if (options.dir !== undefined) load.dir = options.dir
  const table = tryLoad(load, io)
  if (table === undefined) return 1
  const ignored = table.rows.filter((r) => r.ignore !== undefined).length
  const withOverrides =
    files.length === 0 ? '' : ` with ${files.length} override file${files.length === 1 ? '' : 's'}`
  io.stdout(`OK: ${table.rows.length} rows (${ignored} ignore)${withOverrides}\n`)
  return 0
}

function withoutRaw(key: string, value: unknown): unknown {
  return key === 'raw' ? undefined : value
}

export function runExplain(
  eventFile: string,
  io: CommandIo,
  renderers: readonly ExplainRenderer[] = [],
  options: ExplainOptions = {},
): number {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(eventFile, 'utf8'))
  } catch (err) {
    io.stderr(`${eventFile}: cannot read a KOOK event: ${err instanceof Error ? err.message : String(err)}\n`)
    return 2
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    io.stderr(`${eventFile}: expected a JSON object (a frame {s, d} or the event d)\n`)
    return 2
  }
  const frame = parsed as Record<string, unknown>
  const inner = frame['d']
  const d =
    's' in frame && inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : frame

  const load: LoadMappingTableOptions = {}
  if (options.overrides !== undefined) load.overrides = options.overrides
  if (options.dir !== undefined) load.dir = options.dir
  const table = tryLoad(load, io)
  if (table === undefined) return 1

  const personTarget =
    d['channel_type'] === 'PERSON' && typeof d['target_id'] === 'string' ? d['target_id'] : ''
  const context: MappingContext = { selfId: options.selfId ?? personTarget }
  const ex = table.explain(d, context)
  if (ex.row === undefined) io.stdout('row: none matched; the event travels as kook.unmatched (counted)\n')
  else {
    const what =
      ex.row.ignore !== undefined ? `ignored: ${ex.row.ignore}` : `emits ${ex.row.name ?? ex.row.emit}`
    io.stdout(`row: ${ex.row.id} (${ex.row.file}:${ex.row.line}) — ${what}\n`)
  }
  if (ex.candidates.length > 1) io.stdout(`candidates, in match order: ${ex.candidates.join(', ')}\n`)
  io.stdout(`BridgeEvent${ex.events.length === 1 ? '' : `s (${ex.events.length})`}:\n`)
  io.stdout(`${JSON.stringify(ex.events.length === 1 ? ex.events[0] : ex.events, withoutRaw, 2)}\n`)

  let status = 0
  for (const event of ex.events) {
    for (const render of renderers) {
      try {
        const { name, output } = render(event)
        io.stdout(`${name}:\n${JSON.stringify(output, null, 2)}\n`)
      } catch (err) {
        io.stderr(`a renderer failed: ${err instanceof Error ? err.message : String(err)}\n`)
        status = 1
      }
    }
  }
  return status
}
