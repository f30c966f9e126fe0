import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
import type { KookSimulator } from './kook-simulator.js'
import { mimeFromName } from './sim-asset-store.js'

/** A 1×1 transparent PNG: the picture a script "posts" when its attachment names no bytes. */
const PLACEHOLDER_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)

const Attachment = z.strictObject({
  /** File name, e.g. `cat.png`; its extension picks the content type unless given. */
  name: z.string().min(1),
  contentType: z.string().optional(),
  /** The bytes, base64. */
  base64: z.string().optional(),
  /** Or a file to read, relative to the script. Neither: a 1×1 PNG. */
  file: z.string().optional(),
})

const Post = z
  .strictObject({
    channelId: z.string().optional(),
    userId: z.string().optional(),
    authorId: z.string().optional(),
    content: z.string().optional(),
    type: z.int().optional(),
    quote: z.string().optional(),
    mentions: z.array(z.string()).optional(),
    /** A name later steps use to point at this message (`react.message`). */
    label: z.string().optional(),
    /** Uploaded to the simulator; the message content becomes its URL (type 2/3/4/8 by content type). */
    attachment: Attachment.optional(),
  })
  .refine((p) => p.content !== undefined || p.attachment !== undefined, 'post needs content or attachment')

/** Each step is an object with exactly one of these keys. */
const STEP_SCHEMAS = {
  /** A KOOK event `d`, or `{fixture: path}` to a JSON file holding `d` or a full frame `{s, d, sn}`. */
  inject: z.union([
    z
      .strictObject({ fixture: z.string().min(1) })
      .transform((v) => ({ fixture: v.fixture, event: undefined })),
    z.record(z.string(), z.unknown()).transform((event) => ({ fixture: undefined, event })),
  ]),
  post: Post,
  wait: z.int().min(0),
  waitForConnection: z.union([z.literal(true), z.int().min(0)]),
  join: z.strictObject({
    userId: z.string().optional(),
    username: z.string().optional(),
    nickname: z.string().optional(),
    guildId: z.string().optional(),
  }),
  react: z.strictObject({
    /** A post label or a msg_id; default the last message this script posted. */
    message: z.string().optional(),
    emoji: z.string().min(1),
    userId: z.string().min(1),
  }),
  drop: z.literal(true),
  reorder: z.int().min(1),
  duplicate: z.int().min(1),
  reconnect: z.union([z.int(), z.literal(true)]),
  delayPongs: z.int().min(0).nullable(),
  dropPongs: z.boolean(),
  refuseToken: z.boolean(),
  expireSessions: z.literal(true),
} as const satisfies Record<string, z.ZodType>

type StepKind = keyof typeof STEP_SCHEMAS

/** One script step, e.g. `{ post: { content: '#ping' } }` or `{ wait: 200 }`. */
export type SimScriptStep = { [K in StepKind]: { [P in K]: z.input<(typeof STEP_SCHEMAS)[K]> } }[StepKind]

/** A scripted conversation for the simulator (YAML/JSON files have the same shape, or are a bare list). */
export interface SimScript {
  name?: string
  steps: SimScriptStep[]
}

export interface RunSimScriptOptions {
  /** Where relative fixture/attachment paths start; default the script file's folder, else the cwd. */
  baseDir?: string
  /** Multiplies every `wait` (0.01 plays a demo script 100× faster in a test). @defaultValue 1 */
  waitScale?: number
}

type ParsedStep = { [K in StepKind]: { kind: K; value: z.output<(typeof STEP_SCHEMAS)[K]> } }[StepKind]

/**
 * Validates a script, reporting every problem with its path (`script.yaml: steps[2].post.content — …`).
 * Throws a `CONFIG_INVALID` BridgeError listing them all.
 */
export function parseSimScript(input: unknown, source: string): ParsedStep[] {
  const steps = Array.isArray(input) ? input : (input as { steps?: unknown } | null)?.steps
  if (!Array.isArray(steps)) {
    throw new BridgeError(
      ErrorCode.ConfigInvalid,
      `${source}: a script is a list of steps, or {steps: [...]}`,
    )
  }
  const problems: string[] = []
  const parsed: ParsedStep[] = []
  steps.forEach((step: unknown, i) => {
    const keys = typeof step === 'object' && step !== null && !Array.isArray(step) ? Object.keys(step) : []
    const kind = keys[0]
    if (keys.length !== 1 || kind === undefined || !Object.hasOwn(STEP_SCHEMAS, kind)) {
      problems.push(`steps[${i}] — expected one of ${Object.keys(STEP_SCHEMAS).join(', ')}`)
      return
    }
    const schema = STEP_SCHEMAS[kind as StepKind]
    const result = schema.safeParse((step as Record<string, unknown>)[kind])
    if (!result.success) {
      for (const issue of result.error.issues) {
        const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
        problems.push(`steps[${i}].${kind}${path} — ${issue.message}`)
      }
      return
    }
    parsed.push({ kind, value: result.data } as ParsedStep)
  })
  if (problems.length > 0) {
    throw new BridgeError(ErrorCode.ConfigInvalid, problems.map((p) => `${source}: ${p}`).join('\n'), {
      details: { source, problems },
    })
  }
  return parsed
}

/** Plays a script against a running simulator, step by step. */
export async function runSimScript(
  sim: KookSimulator,
  script: SimScript | string,
  options: RunSimScriptOptions = {},
): Promise<void> {
  let input: unknown = script
  let source = '<script>'
  let baseDir = options.baseDir ?? process.cwd()
  if (typeof script === 'string') {
    source = script
    baseDir = options.baseDir ?? dirname(resolve(script))
    let text: string
    try {
      text = await readFile(script, 'utf8')
    } catch (cause) {
      throw new BridgeError(ErrorCode.ConfigInvalid, `${script}: cannot read the script`, { cause })
    }
    try {
      input = parseYaml(text)
    } catch (cause) {
      throw new BridgeError(ErrorCode.ConfigInvalid, `${script}: not YAML/JSON`, { cause })
    }
  }
  const steps = parseSimScript(input, source)
  const labels = new Map<string, string>()
  let lastPosted: string | undefined
  for (const [i, step] of steps.entries()) {
    try {
      switch (step.kind) {
        case 'inject': {
          const { event, fixture } = step.value
          sim.inject(event !== undefined ? event : await loadFixture(resolve(baseDir, fixture)))
          break
        }
        case 'post': {
          const { label, attachment, ...post } = step.value
          let content = post.content ?? ''
          let type = post.type
          if (attachment) {
            const bytes = attachment.base64
              ? Buffer.from(attachment.base64, 'base64')
              : attachment.file
                ? await readFile(resolve(baseDir, attachment.file))
                : PLACEHOLDER_PNG
            const asset = sim.storeAsset(attachment.name, bytes, attachment.contentType)
            content = asset.url
            type ??= mediaType(attachment.contentType ?? mimeFromName(attachment.name))
          }
          const d = sim.postMessage({
            ...stripUndefined(post),
            content,
            ...(type !== undefined ? { type } : {}),
          })
          lastPosted = String(d['msg_id'])
          if (label) labels.set(label, lastPosted)
          break
        }
        case 'wait':
          await sim.sleep(step.value * (options.waitScale ?? 1))
          break
        case 'waitForConnection':
          await sim.waitForConnection(step.value === true ? undefined : step.value)
          break
        case 'join':
          sim.memberJoin(stripUndefined(step.value))
          break
        case 'react': {
          const ref = step.value.message
          const msgId = ref === undefined ? lastPosted : (labels.get(ref) ?? ref)
          if (!msgId) throw new BridgeError(ErrorCode.BadParams, 'react: no message posted yet to react to')
          sim.react({ msgId, emoji: step.value.emoji, userId: step.value.userId })
          break
        }
        case 'drop':
          sim.dropConnections()
          break
        case 'reorder':
          sim.reorderNext(step.value)
          break
        case 'duplicate':
          sim.duplicateNext(step.value)
          break
        case 'reconnect':
          sim.sendReconnect(step.value === true ? undefined : step.value)
          break
        case 'delayPongs':
          sim.delayPongs(step.value)
          break
        case 'dropPongs':
          sim.dropPongs(step.value)
          break
        case 'refuseToken':
          sim.refuseToken(step.value)
          break
        case 'expireSessions':
          sim.expireSessions()
          break
      }
    } catch (cause) {
      const error = BridgeError.from(cause)
      if (error.code === ErrorCode.Closed) throw error
      throw new BridgeError(error.code, `${source}: steps[${i}] (${step.kind}) failed: ${error.message}`, {
        cause,
      })
    }
  }
}

async function loadFixture(path: string): Promise<object> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (cause) {
    throw new BridgeError(ErrorCode.ConfigInvalid, `fixture ${path} is not a readable JSON file`, { cause })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BridgeError(ErrorCode.ConfigInvalid, `fixture ${path} is not a JSON object`)
  }
  // Fixtures are full frames {s, d, sn}; only `d` is an event.
  const frame = parsed as { s?: unknown; d?: unknown }
  return typeof frame.s === 'number' && typeof frame.d === 'object' && frame.d !== null ? frame.d : parsed
}

function mediaType(contentType: string): number {
  if (contentType.startsWith('image/')) return 2
  if (contentType.startsWith('video/')) return 3
  if (contentType.startsWith('audio/')) return 8
  return 4
}

/** zod leaves absent optional keys out, but exactOptionalPropertyTypes wants that proven. */
function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }
}
