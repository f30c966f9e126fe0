/**
 * The compiled mapping table: KOOK event (`d`) → BridgeEvent[]. Built once by `loadMappingTable`.
 *
 * Per event: one generated dispatcher (nested switches over channel_type, type, extra.type) reaches
 * the candidate rows, and the first whose extra conditions hold runs its compiled function. Nothing is
 * dropped silently and nothing throws:
 * - no row matches → one `kook.unmatched` extension event (raw kept), counted;
 * - an `ignore` row matches → no event, counted per row;
 * - a required field comes out empty (malformed event) → `kook.invalid` (raw kept), counted per row;
 * - a row function throws (a bug) → `kook.invalid` with the error message, counted per row.
 */
import type { BridgeEvent, BridgeEventType, ExtensionEvent, RawKookEvent } from '../model/bridge-event.js'
import { Metrics } from '../util/metrics.js'
import type { CheckedRow } from './check-row.js'
import { compileDispatcher, type Dispatcher } from './compile-dispatcher.js'
import { type CompiledRow, compileRow, type RowRuntime } from './compile-row.js'
import type { MappingContext } from './mapping-context.js'
import { MatchIndex } from './match-index.js'

/** `rowId` of events no row matched. */
export const UNMATCHED_ROW_ID = '(unmatched)'

export const MAPPING_METRICS = {
  unmatched: 'kookbridge_mapping_unmatched_total',
  ignored: 'kookbridge_mapping_ignored_total',
  invalid: 'kookbridge_mapping_invalid_total',
  emptyForEach: 'kookbridge_mapping_empty_foreach_total',
  errors: 'kookbridge_mapping_errors_total',
  contentProblems: 'kookbridge_content_problems_total',
} as const

const METRIC_HELP: Record<keyof typeof MAPPING_METRICS, string> = {
  unmatched: 'KOOK events no mapping row matched (sent as kook.unmatched)',
  ignored: 'KOOK events dropped on purpose by an ignore row',
  invalid: 'KOOK events a row could not fill (required field missing; sent as kook.invalid)',
  emptyForEach: 'forEach rows that found an empty list',
  errors: 'mapping rows that threw (a bug; sent as kook.invalid)',
  contentProblems: 'KOOK content that could not be fully parsed',
}

/** Distinct `kind` labels kept for unmatched events; garbage input must not grow the metrics forever. */
const MAX_UNMATCHED_KINDS = 64

export interface MappingTableOptions {
  /** Where counters go. @defaultValue a private Metrics instance */
  metrics?: Metrics
  /** Clock for events that carry no usable msg_timestamp. @defaultValue Date.now */
  now?: () => number
}

/** A row as the table describes it (for `explain`, `mappings check` and docs). */
export interface RowInfo {
  id: string
  file: string
  line: number
  priority: number
  description?: string
  emit?: BridgeEventType
  /** Extension events: the name. */
  name?: string
  /** Ignore rows: the reason. */
  ignore?: string
}

export interface Explanation {
  outcome: 'matched' | 'ignored' | 'unmatched'
  /** The row that decided (matched or ignored). */
  row?: RowInfo
  /** The rows the index offered for this event, in match order. */
  candidates: string[]
  events: BridgeEvent[]
  /** The generated JavaScript of the deciding row. */
  source?: string
}

function rowInfo(c: CheckedRow): RowInfo {
  const info: RowInfo = { id: c.id, file: c.file, line: c.line, priority: c.priority }
  if (c.description !== undefined) info.description = c.description
  if (c.action.kind === 'ignore') info.ignore = c.action.reason
  else {
    info.emit = c.action.type
    if (c.action.name !== undefined) info.name = c.action.name
  }
  return info
}

interface TableRow extends CompiledRow {
  info: RowInfo
}

export class MappingTable {
  readonly rows: readonly RowInfo[]
  readonly metrics: Metrics
  readonly #index: MatchIndex<TableRow>
  readonly #dispatch: Dispatcher
  /** The generated dispatcher, for debugging. */
  readonly dispatcherSource: string
  readonly #now: () => number
  readonly #unmatchedKinds = new Set<string>()

  constructor(rows: readonly CheckedRow[], options: MappingTableOptions = {}) {
    this.metrics = options.metrics ?? new Metrics()
    this.#now = options.now ?? Date.now
    const runtime: RowRuntime = {
      invalid: (d, rowId, missing) => {
        this.#inc('invalid', { row: rowId })
        return this.#extension(d, 'kook.invalid', rowId, { missing })
      },
      emptyForEach: (rowId) => this.#inc('emptyForEach', { row: rowId }),
      count: (problem) => this.#inc('contentProblems', { problem }),
    }
    const compiled: TableRow[] = rows.map((r) => ({ ...compileRow(r, runtime), info: rowInfo(r) }))
    this.rows = compiled.map((r) => r.info)
    this.#index = new MatchIndex(compiled)
    const { dispatch, source } = compileDispatcher(this.#index, compiled, {
      unmatched: (d) => [this.#unmatched(d)],
      ignored: (rowId) => {
        this.#inc('ignored', { row: rowId })
        return []
      },
    })
    this.#dispatch = dispatch
    this.dispatcherSource = source
  }

  /**
   * Maps one KOOK event (`d` of an s=0 frame) to BridgeEvents: normally one; none for ignore rows;
   * several for forEach rows. Never throws.
   */
  map(d: RawKookEvent, context: MappingContext): BridgeEvent[] {
    if (d === null || typeof d !== 'object') return [this.#unmatched(d)]
    try {
      return this.#dispatch(d, context)
    } catch (err) {
      // Rare path: find the row again (match conditions are pure) to name it in the counter.
      return [this.#failed(this.#find(d)?.info.id ?? UNMATCHED_ROW_ID, d, err)]
    }
  }

  explain(d: RawKookEvent, context: MappingContext): Explanation {
    const candidates = this.#candidates(d).map((r) => r.info.id)
    const row = this.#find(d)
    const events: BridgeEvent[] = []
    if (row === undefined) {
      events.push(this.#unmatched(d))
      return { outcome: 'unmatched', candidates, events }
    }
    this.#run(row, d, context, events)
    return {
      outcome: row.run === undefined ? 'ignored' : 'matched',
      row: row.info,
      candidates,
      events,
      source: row.source,
    }
  }

  #candidates(d: RawKookEvent): readonly TableRow[] {
    if (d === null || typeof d !== 'object') return []
    const extra = d['extra']
    const extraType =
      extra !== null && typeof extra === 'object' ? (extra as Record<string, unknown>)['type'] : undefined
    return this.#index.candidates(d['channel_type'], d['type'], extraType)
  }

  #find(d: RawKookEvent): TableRow | undefined {
    for (const row of this.#candidates(d)) {
      if (row.test === undefined || row.test(d)) return row
    }
    return undefined
  }

  #run(row: TableRow, d: RawKookEvent, context: MappingContext, out: BridgeEvent[]): void {
    if (row.run === undefined) {
      this.#inc('ignored', { row: row.info.id })
      return
    }
    try {
      out.push(...row.run(d, context))
    } catch (err) {
      out.push(this.#failed(row.info.id, d, err))
    }
  }

  #inc(metric: keyof typeof MAPPING_METRICS, labels: Record<string, string>): void {
    this.metrics.inc(MAPPING_METRICS[metric], labels, 1, METRIC_HELP[metric])
  }

  #failed(rowId: string, d: RawKookEvent, err: unknown): ExtensionEvent {
    this.#inc('errors', { row: rowId })
    return this.#extension(d, 'kook.invalid', rowId, {
      error: err instanceof Error ? err.message : String(err),
    })
  }

  #unmatched(d: RawKookEvent): ExtensionEvent {
    const ok = d !== null && typeof d === 'object'
    const extra = ok ? d['extra'] : undefined
    const extraType =
      extra !== null && typeof extra === 'object' ? (extra as Record<string, unknown>)['type'] : undefined
    const data = {
      channelType: ok ? d['channel_type'] : undefined,
      type: ok ? d['type'] : undefined,
      extraType,
    }
    let kind = `${String(data.channelType)}/${String(data.type)}/${String(extraType)}`.slice(0, 96)
    if (!this.#unmatchedKinds.has(kind)) {
      if (this.#unmatchedKinds.size < MAX_UNMATCHED_KINDS) this.#unmatchedKinds.add(kind)
      else kind = 'other'
    }
    this.#inc('unmatched', { kind })
    return this.#extension(ok ? d : {}, 'kook.unmatched', UNMATCHED_ROW_ID, data)
  }

  #extension(d: RawKookEvent, name: string, rowId: string, data: Record<string, unknown>): ExtensionEvent {
    const id = d['msg_id']
    const ts = d['msg_timestamp']
    return {
      type: 'extension',
      name,
      eventId: typeof id === 'string' ? id : '',
      time: typeof ts === 'number' && Number.isFinite(ts) ? ts : this.#now(),
      rowId,
      raw: d,
      data,
    }
  }
}
