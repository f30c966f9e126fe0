// Our kritor 1.0.3 protos must be wire-identical to upstream's. Compared item by item against
// (a) the recorded wire facts (fixtures/kritor-1.0.3.wire.json, from KarinJS/kritor 3dec747) and
// (b) the upstream kritor-proto@1.0.3 .proto files (dev dependency, MPL-2.0), then checked at the
// byte level: what our generated code encodes, upstream's schema decodes to the same values.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { kookbridge } from '../../gen/kookbridge/v1/extension.js'
import { services as extensionServices } from '../../gen/kookbridge/v1/services.js'
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { services as kritorServices } from '../../gen/kritor/1.0.3/services.js'
import { protoObject } from './support/proto-object.js'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const OURS = join(repoRoot, 'proto', 'kritor', '1.0.3')
const UPSTREAM = join(repoRoot, 'node_modules', 'kritor-proto', 'kritor', 'protos')
const EXTENSION = join(repoRoot, 'proto', 'kookbridge', 'v1', 'extension.proto')

interface WireFacts {
  syntax: string
  files: Record<
    string,
    { package: string; imports: string[]; options: Record<string, string>; top_level: string[] }
  >
  descriptor: protobuf.INamespace
}
const wire = JSON.parse(
  readFileSync(join(repoRoot, 'test', 'kritor', 'fixtures', 'kritor-1.0.3.wire.json'), 'utf8'),
) as WireFacts

/** Fact name → value, e.g. "field kritor.common.Contact.sub_peer" → "#3 optional string". */
type Facts = Map<string, string>

function protoFiles(dir: string): string[] {
  const found: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.proto')) {
      found.push(relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    }
  }
  return found.sort()
}

/** Loads a schema folder the way protoc would: every import is relative to the folder. */
function loadSchema(dir: string, extra: string[] = []): protobuf.Root {
  const root = new protobuf.Root()
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(dir, target))
  root.loadSync([...protoFiles(dir), ...extra], { keepCase: true })
  root.resolveAll()
  return root
}

const isSyntheticOneof = (oneof: protobuf.OneOf) =>
  oneof.name.startsWith('_') &&
  oneof.fieldsArray.length === 1 &&
  oneof.fieldsArray[0]?.options?.['proto3_optional'] === true

function typeName(field: protobuf.Field): string {
  const resolved = field.resolvedType
  if (resolved === null) return field.type
  return `${resolved instanceof protobuf.Enum ? 'enum' : 'message'} ${resolved.fullName.slice(1)}`
}

function describeField(field: protobuf.Field): string {
  const oneof = field.partOf && !isSyntheticOneof(field.partOf) ? ` oneof ${field.partOf.name}` : ''
  if (field instanceof protobuf.MapField) return `#${field.id} map<${field.keyType}, ${typeName(field)}>`
  const label = field.repeated
    ? `repeated${field.packed ? ' packed' : ''}`
    : field.options?.['proto3_optional'] === true
      ? 'optional'
      : 'singular'
  return `#${field.id} ${label} ${typeName(field)}${oneof}`
}

/** Every namespace, message (nested too), enum value, field, oneof, service and method. */
function typeFacts(root: protobuf.Root): Facts {
  const facts: Facts = new Map()
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const obj of ns.nestedArray) {
      const name = obj.fullName.slice(1)
      if (obj instanceof protobuf.Type) {
        facts.set(`message ${name}`, 'declared')
        for (const field of obj.fieldsArray) facts.set(`field ${name}.${field.name}`, describeField(field))
        for (const oneof of obj.oneofsArray) {
          if (!isSyntheticOneof(oneof)) facts.set(`oneof ${name}.${oneof.name}`, oneof.oneof.join(', '))
        }
        visit(obj)
      } else if (obj instanceof protobuf.Enum) {
        facts.set(`enum ${name}`, 'declared')
        for (const [key, value] of Object.entries(obj.values))
          facts.set(`enum value ${name}.${key}`, `= ${value}`)
      } else if (obj instanceof protobuf.Service) {
        facts.set(`service ${name}`, 'declared')
        for (const method of obj.methodsArray) {
          method.resolve()
          const request = method.resolvedRequestType?.fullName.slice(1) ?? `unresolved ${method.requestType}`
          const response =
            method.resolvedResponseType?.fullName.slice(1) ?? `unresolved ${method.responseType}`
          facts.set(
            `method ${name}.${method.name}`,
            `(${method.requestStream ? 'stream ' : ''}${request}) returns (${method.responseStream ? 'stream ' : ''}${response})`,
          )
        }
      } else if (obj instanceof protobuf.Namespace) {
        facts.set(`namespace ${name}`, 'declared')
        visit(obj)
      }
    }
  }
  visit(root)
  return facts
}

/** Per file: syntax, package, imports, file options and what it declares at top level. */
function fileFacts(dir: string): Facts {
  const facts: Facts = new Map()
  for (const file of protoFiles(dir)) {
    const source = readFileSync(join(dir, file), 'utf8')
    const parsed = protobuf.parse(source, { keepCase: true })
    const pkg = parsed.package ?? ''
    facts.set(`file ${file} syntax`, /^\s*syntax\s*=\s*"(proto[23])"\s*;/m.exec(source)?.[1] ?? 'none')
    facts.set(`file ${file} package`, pkg)
    facts.set(`file ${file} imports`, (parsed.imports ?? []).join(', '))
    const ns = parsed.root.lookup(pkg)
    for (const [key, value] of Object.entries(ns?.options ?? {})) {
      facts.set(`file ${file} option ${key}`, String(value))
    }
    if (ns instanceof protobuf.Namespace) {
      for (const obj of ns.nestedArray) {
        const kind =
          obj instanceof protobuf.Service ? 'service' : obj instanceof protobuf.Enum ? 'enum' : 'message'
        facts.set(`file ${file} declares ${kind} ${obj.name}`, 'yes')
      }
    }
  }
  return facts
}

function wireFileFacts(facts: WireFacts): Facts {
  const out: Facts = new Map()
  for (const [file, info] of Object.entries(facts.files)) {
    out.set(`file ${file} syntax`, facts.syntax)
    out.set(`file ${file} package`, info.package)
    out.set(`file ${file} imports`, info.imports.join(', '))
    for (const [key, value] of Object.entries(info.options)) out.set(`file ${file} option ${key}`, value)
    for (const decl of info.top_level) out.set(`file ${file} declares ${decl}`, 'yes')
  }
  return out
}

/** A readable list of every difference; empty when identical. */
function diffFacts(expected: Facts, actual: Facts): string[] {
  const problems: string[] = []
  for (const [key, want] of expected) {
    const got = actual.get(key)
    if (got === undefined) problems.push(`missing    ${key} (${want})`)
    else if (got !== want) problems.push(`different  ${key}: expected ${want}, got ${got}`)
  }
  for (const [key, got] of actual) if (!expected.has(key)) problems.push(`unexpected ${key} (${got})`)
  return problems
}

function count(facts: Facts, prefix: string): number {
  return [...facts.keys()].filter((key) => key.startsWith(prefix)).length
}

const ours = loadSchema(OURS)
const upstream = loadSchema(UPSTREAM)
const fromWire = protobuf.Root.fromJSON(wire.descriptor)
fromWire.resolveAll()

describe('kritor 1.0.3 protos', () => {
  it('declare every package, message, enum, field, oneof, service and method of the wire facts', () => {
    expect(diffFacts(typeFacts(fromWire), typeFacts(ours))).toEqual([])
  })

  it('declare the same things as the upstream kritor-proto files', () => {
    expect(diffFacts(typeFacts(upstream), typeFacts(ours))).toEqual([])
  })

  it('keep upstream file paths, packages, imports, options and top-level declarations', () => {
    expect(diffFacts(wireFileFacts(wire), fileFacts(OURS))).toEqual([])
    expect(diffFacts(fileFacts(UPSTREAM), fileFacts(OURS))).toEqual([])
  })

  it('cover the whole schema (the comparison is not vacuous)', () => {
    const facts = typeFacts(ours)
    expect({
      services: count(facts, 'service '),
      methods: count(facts, 'method '),
      messages: count(facts, 'message '),
      enums: count(facts, 'enum ') - count(facts, 'enum value '),
      files: protoFiles(OURS).length,
    }).toEqual({ services: 14, methods: 91, messages: 257, enums: 15, files: 26 })
  })

  it('report a changed field number, a dropped enum value and an added field by name', () => {
    const mutated = structuredClone(wire.descriptor) as {
      nested: Record<string, { nested: Record<string, { nested: Record<string, unknown> }> }>
    }
    const common = mutated.nested['kritor']!.nested['common']!.nested as Record<
      string,
      { fields?: Record<string, { id: number; type: string }>; values?: Record<string, number> }
    >
    common['Contact']!.fields!['sub_peer']!.id = 4
    delete common['Scene']!.values!['NEARBY']
    common['Sender']!.fields!['avatar'] = { id: 9, type: 'string' }
    const root = protobuf.Root.fromJSON(mutated as protobuf.INamespace)
    root.resolveAll()
    expect(diffFacts(typeFacts(root), typeFacts(ours))).toEqual([
      'different  field kritor.common.Contact.sub_peer: expected #4 optional string, got #3 optional string',
      'missing    field kritor.common.Sender.avatar (#9 singular string)',
      'unexpected enum value kritor.common.Scene.NEARBY (= 5)',
    ])
  })
})

// ---- bytes ---------------------------------------------------------------------------------

type GeneratedType = {
  encode(message: object): protobuf.Writer
  decode(bytes: Uint8Array): object
}

/** The generated class for a fully qualified name, e.g. kritor.common.Element.ElementType. */
function generated(fullName: string): GeneratedType | undefined {
  let at: unknown = { kritor, kookbridge }
  for (const part of fullName.split('.')) at = (at as Record<string, unknown> | undefined)?.[part]
  return at as GeneratedType | undefined
}

const SCALAR_SAMPLES: Record<string, unknown> = {
  string: 'kook',
  bytes: Uint8Array.of(1, 2, 3),
  bool: true,
  int32: -7,
  sint32: -7,
  sfixed32: -7,
  uint32: 7,
  fixed32: 7,
  int64: '-9007199254740993',
  sint64: '-9007199254740993',
  sfixed64: '-9007199254740993',
  uint64: '18446744073709551615',
  fixed64: '18446744073709551615',
  double: 1.25,
  float: 0.5,
}

/** A message with every field set (first member of each oneof), nested messages included. */
function sample(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const oneofsSeen = new Set<string>()
  for (const field of type.fieldsArray) {
    const oneof = field.partOf
    if (oneof && !isSyntheticOneof(oneof)) {
      if (oneofsSeen.has(oneof.name)) continue
      oneofsSeen.add(oneof.name)
    }
    const resolved = field.resolvedType
    let value: unknown
    if (resolved instanceof protobuf.Enum) value = Object.values(resolved.values).at(-1)
    else if (resolved instanceof protobuf.Type) {
      if (depth >= 3) continue
      value = sample(resolved, depth + 1)
    } else value = SCALAR_SAMPLES[field.type]
    if (field instanceof protobuf.MapField) {
      const key = field.keyType === 'string' ? 'k' : '5'
      out[field.name] = { [key]: value }
    } else out[field.name] = field.repeated ? [value, value] : value
  }
  return out
}

function messageTypes(root: protobuf.Root): protobuf.Type[] {
  const types: protobuf.Type[] = []
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Type) types.push(obj)
      if (obj instanceof protobuf.Namespace) visit(obj)
    }
  }
  visit(root)
  return types
}

const asObject = (type: protobuf.Type, message: protobuf.Message) =>
  type.toObject(message, { longs: String, enums: String, bytes: Array, defaults: false })

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

/** The events a KOOK bridge pushes most: a channel message with text, a mention and an image. */
const messageEvent: kritor.event.IEventStructure = {
  type: kritor.event.EventType.EVENT_TYPE_MESSAGE,
  message: {
    time: 1_732_252_800,
    message_id: '2b4c9a35-7f1e-4b8a-9c1d-3e5f7a9b1c2d',
    message_seq: 41,
    contact: { scene: kritor.common.Scene.GUILD, peer: '9876543210987654', sub_peer: '1234567890123456' },
    sender: { uid: '1234567890', uin: '1234567890', nick: 'Rin', role: kritor.common.Role.ADMIN },
    elements: [
      { type: kritor.common.Element.ElementType.TEXT, text: { text: 'hello ' } },
      { type: kritor.common.Element.ElementType.AT, at: { uid: '2233445566', uin: '2233445566' } },
      {
        type: kritor.common.Element.ElementType.IMAGE,
        image: { file_url: 'https://img.kookapp.cn/assets/2024-11/abc.png', file_type: 0 },
      },
    ],
  },
}

/** A member kicked from a channel-as-group: operator set, 16-digit group id (beyond 2^53). */
const noticeEvent: kritor.event.IEventStructure = {
  type: kritor.event.EventType.EVENT_TYPE_NOTICE,
  notice: {
    type: kritor.event.NoticeEvent.NoticeType.GROUP_MEMBER_DECREASE,
    time: 1_732_252_801,
    notice_id: 'exited_guild:1234567890:1732252801000',
    group_member_decrease: {
      group_id: '9876543210987654',
      operator_uid: '1111111111',
      operator_uin: '1111111111',
      target_uid: '2233445566',
      target_uin: '2233445566',
      type: kritor.event.GroupMemberDecreasedNotice.GroupMemberDecreasedType.KICK,
    },
  },
}

describe('bytes from the generated code', () => {
  const upstreamEvent = upstream.lookupType('kritor.event.EventStructure')

  it('decode with the upstream schema to the message event that was encoded', () => {
    const bytes = kritor.event.EventStructure.encode(messageEvent).finish()
    expect(asObject(upstreamEvent, upstreamEvent.decode(bytes))).toEqual({
      type: 'EVENT_TYPE_MESSAGE',
      message: {
        time: '1732252800',
        message_id: '2b4c9a35-7f1e-4b8a-9c1d-3e5f7a9b1c2d',
        message_seq: '41',
        contact: { scene: 'GUILD', peer: '9876543210987654', sub_peer: '1234567890123456' },
        sender: { uid: '1234567890', uin: '1234567890', nick: 'Rin', role: 'ADMIN' },
        elements: [
          { type: 'TEXT', text: { text: 'hello ' } },
          { type: 'AT', at: { uid: '2233445566', uin: '2233445566' } },
          {
            type: 'IMAGE',
            image: { file_url: 'https://img.kookapp.cn/assets/2024-11/abc.png', file_type: 'COMMON' },
          },
        ],
      },
    })
  })

  it('decode with the upstream schema to the notice event that was encoded', () => {
    const bytes = kritor.event.EventStructure.encode(noticeEvent).finish()
    expect(asObject(upstreamEvent, upstreamEvent.decode(bytes))).toEqual({
      type: 'EVENT_TYPE_NOTICE',
      notice: {
        type: 'GROUP_MEMBER_DECREASE',
        time: '1732252801',
        notice_id: 'exited_guild:1234567890:1732252801000',
        group_member_decrease: {
          group_id: '9876543210987654',
          operator_uid: '1111111111',
          operator_uin: '1111111111',
          target_uid: '2233445566',
          target_uin: '2233445566',
          type: 'KICK',
        },
      },
    })
  })

  it('equal upstream reflection bytes for every kritor message type, and decode back', () => {
    const problems: string[] = []
    const types = messageTypes(upstream)
    for (const type of types) {
      const name = type.fullName.slice(1)
      const ours = generated(name)
      if (typeof ours?.encode !== 'function') {
        problems.push(`${name}: no generated encoder`)
        continue
      }
      const value = sample(type)
      const expected = type.encode(value).finish()
      const actual = ours.encode(value).finish()
      if (hex(actual) !== hex(expected))
        problems.push(`${name}: bytes ${hex(actual)} != upstream ${hex(expected)}`)
      const roundTrip = type.toObject(ours.decode(expected) as protobuf.Message, {
        longs: String,
        bytes: Array,
      })
      const direct = type.toObject(type.decode(expected), { longs: String, bytes: Array })
      if (JSON.stringify(roundTrip) !== JSON.stringify(direct))
        problems.push(`${name}: generated decode differs`)
    }
    expect(problems).toEqual([])
    expect(types.length).toBe(257)
  })
})

describe('uint64 ids', () => {
  const upstreamBody = upstream.lookupType('kritor.common.PushMessageBody')

  it('accept decimal strings beyond 2^53 exactly, and safe numbers', () => {
    const bytes = kritor.common.PushMessageBody.encode({
      time: 1_732_252_800,
      message_seq: '9007199254740993',
      sender: { uid: '18446744073709551615', uin: '18446744073709551615' },
    }).finish()
    expect(asObject(upstreamBody, upstreamBody.decode(bytes))).toMatchObject({
      time: '1732252800',
      message_seq: '9007199254740993',
      sender: { uin: '18446744073709551615' },
    })
  })

  it('decode to Long objects, which toObject turns into strings', () => {
    const bytes = kritor.common.PushMessageBody.encode({ message_seq: '9007199254740993' }).finish()
    const decoded = kritor.common.PushMessageBody.decode(bytes)
    expect(typeof decoded.message_seq).toBe('object')
    expect(String(decoded.message_seq)).toBe('9007199254740993')
    expect(protoObject('kritor.common.PushMessageBody', decoded, { longs: String }).message_seq).toBe(
      '9007199254740993',
    )
  })

  it('leave absent proto3 optional fields null after decode, unlike plain fields', () => {
    const decoded = kritor.common.Sender.decode(kritor.common.Sender.encode({ uid: '1' }).finish())
    expect({ uid: decoded.uid, uin: decoded.uin, nick: decoded.nick }).toEqual({
      uid: '1',
      uin: null,
      nick: null,
    })
  })
})

describe('kookbridge extension proto', () => {
  it('declares its service in its own package, with the streaming flags the bridge serves', () => {
    const root = new protobuf.Root()
    root.loadSync(EXTENSION, { keepCase: true })
    root.resolveAll()
    const facts = typeFacts(root)
    expect(Object.fromEntries([...facts].filter(([key]) => key.startsWith('method ')))).toEqual({
      'method kookbridge.v1.ExtensionService.RegisterExtensionListener':
        '(kookbridge.v1.RegisterExtensionListenerRequest) returns (stream kookbridge.v1.RegisterExtensionListenerResponse)',
      'method kookbridge.v1.ExtensionService.CallKookApi':
        '(kookbridge.v1.CallKookApiRequest) returns (kookbridge.v1.CallKookApiResponse)',
    })
    expect(facts.get('field kookbridge.v1.RegisterExtensionListenerResponse.time')).toBe('#2 singular uint64')
  })

  it('loads beside kritor without sharing a single name', () => {
    const both = loadSchema(OURS, [EXTENSION])
    const names = [...typeFacts(both).keys()].filter((key) => !key.startsWith('namespace '))
    const extension = names.filter((key) => key.includes(' kookbridge.'))
    expect(extension.length).toBeGreaterThan(10)
    expect(names.filter((key) => !key.includes(' kookbridge.') && !key.includes(' kritor.'))).toEqual([])
    expect(typeFacts(both).size).toBe(typeFacts(ours).size + typeFacts(loadSchema(dirname(EXTENSION))).size)
  })

  it('generated bundles live in separate protobufjs roots', () => {
    // Static code looks its cross-references up in its root at call time, so a shared root would
    // let a second bundle (say a later kritor schema with the same names) replace our types.
    const kritorRoot = protobuf.roots['kritor_1_0_3'] as unknown as Record<string, unknown> | undefined
    const kookbridgeRoot = protobuf.roots['kookbridge_v1'] as unknown as Record<string, unknown> | undefined
    expect(kritorRoot?.['kritor']).toBe(kritor)
    expect(kookbridgeRoot?.['kookbridge']).toBe(kookbridge)
    expect(Object.keys(kritorRoot ?? {})).toEqual(['kritor'])
    expect(Object.keys(kookbridgeRoot ?? {})).toEqual(['kookbridge'])
    expect(protobuf.roots['default']).toBeUndefined()
    const bytes = kookbridge.v1.RegisterExtensionListenerResponse.encode({
      name: 'joined_channel',
      time: '1732252800123',
      guild_id: '9876543210987654',
      json: '{"user_id":"1234567890"}',
    }).finish()
    expect(
      protoObject(
        'kookbridge.v1.RegisterExtensionListenerResponse',
        kookbridge.v1.RegisterExtensionListenerResponse.decode(bytes),
        { longs: String },
      ),
    ).toEqual({
      name: 'joined_channel',
      time: '1732252800123',
      guild_id: '9876543210987654',
      json: '{"user_id":"1234567890"}',
    })
  })
})

describe('generated service tables', () => {
  interface MethodEntry {
    path: string
    requestStream: boolean
    responseStream: boolean
    requestType: unknown
    responseType: unknown
  }

  /** Renders a table the way typeFacts renders methods, naming classes by their generated path. */
  function tableFacts(table: Record<string, Record<string, MethodEntry>>, root: protobuf.Root): Facts {
    const classNames = new Map<unknown, string>()
    for (const type of messageTypes(root))
      classNames.set(generated(type.fullName.slice(1)), type.fullName.slice(1))
    const facts: Facts = new Map()
    for (const [service, methods] of Object.entries(table)) {
      for (const [method, entry] of Object.entries(methods)) {
        const request = classNames.get(entry.requestType) ?? 'not a generated class'
        const response = classNames.get(entry.responseType) ?? 'not a generated class'
        facts.set(
          `method ${service}.${method}`,
          `(${entry.requestStream ? 'stream ' : ''}${request}) returns (${entry.responseStream ? 'stream ' : ''}${response})`,
        )
        if (entry.path !== `/${service}/${method}`) facts.set(`path ${service}.${method}`, entry.path)
      }
    }
    return facts
  }

  const methodFacts = (root: protobuf.Root): Facts =>
    new Map([...typeFacts(root)].filter(([key]) => key.startsWith('method ')))

  it('lists every kritor method with its gRPC path, streaming flags and generated classes', () => {
    expect(diffFacts(methodFacts(ours), tableFacts(kritorServices, ours))).toEqual([])
  })

  it('lists the extension methods the same way', () => {
    const root = new protobuf.Root()
    root.loadSync(EXTENSION, { keepCase: true })
    root.resolveAll()
    expect(diffFacts(methodFacts(root), tableFacts(extensionServices, root))).toEqual([])
  })

  it('types streaming flags and message classes precisely', () => {
    const active = kritorServices['kritor.event.EventService'].RegisterActiveListener
    expectTypeOf(active.requestStream).toEqualTypeOf<false>()
    expectTypeOf(active.responseStream).toEqualTypeOf<true>()
    expectTypeOf(active.responseType).toEqualTypeOf<typeof kritor.event.EventStructure>()
    expectTypeOf(
      kritorServices['kritor.reverse.ReverseService'].ReverseStream.requestStream,
    ).toEqualTypeOf<true>()
    expect(active.path).toBe('/kritor.event.EventService/RegisterActiveListener')
  })
})
