/**
 * A kritor client built the way frameworks build theirs (koishi: grpc-js + proto-loader): from
 * upstream's own .proto files (`kritor-proto@1.0.3`, a dev dependency), independent of the project's
 * protos and generated code, with `keepCase, longs: String, enums: String, defaults, oneofs`.
 * Also loads kookbridge's extension proto (ours; no upstream exists) for the extension stream.
 */
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
export const UPSTREAM_PROTOS = join(repoRoot, 'node_modules', 'kritor-proto', 'kritor', 'protos')
const EXTENSION_PROTOS = join(repoRoot, 'proto')

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
}

function protoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.proto'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

type ServiceCtor = grpc.ServiceClientConstructor
type Tree = { [name: string]: Tree | ServiceCtor }

let kritorTree: Tree | undefined
let extensionTree: Tree | undefined

function kritorPackage(): Tree {
  kritorTree ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(protoFiles(UPSTREAM_PROTOS), { ...LOADER_OPTIONS, includeDirs: [UPSTREAM_PROTOS] }),
  ) as unknown as Tree
  return kritorTree
}

function extensionPackage(): Tree {
  extensionTree ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('kookbridge/v1/extension.proto', {
      ...LOADER_OPTIONS,
      includeDirs: [EXTENSION_PROTOS],
    }),
  ) as unknown as Tree
  return extensionTree
}

function lookup(tree: Tree, name: string): ServiceCtor {
  let node: Tree | ServiceCtor | undefined = tree
  for (const part of name.split('.')) node = (node as Tree)[part]
  if (typeof node !== 'function') throw new Error(`no service ${name} in the loaded protos`)
  return node
}

export type Json = Record<string, unknown>

/** A generic client: `unary(method, request)` resolves the response or rejects with a ServiceError. */
export class KritorClient {
  readonly #clients = new Map<string, grpc.Client>()
  readonly #channel: grpc.Channel
  readonly #address: string

  constructor(address: string) {
    this.#address = address
    // One channel for every service: frameworks reuse one connection (peer-bound auth relies on it).
    // A local subchannel pool gives each client its own connection, as separate frameworks have;
    // grpc-js would otherwise share one connection between all clients of a target in this process.
    this.#channel = new grpc.Channel(address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    })
  }

  service(name: string): grpc.Client {
    let client = this.#clients.get(name)
    if (!client) {
      const tree = name.startsWith('kookbridge.') ? extensionPackage() : kritorPackage()
      const Ctor = lookup(tree, name)
      client = new Ctor(this.#address, grpc.credentials.createInsecure(), { channelOverride: this.#channel })
      this.#clients.set(name, client)
    }
    return client
  }

  unary(
    path: string,
    request: Json = {},
    metadata: grpc.Metadata = new grpc.Metadata(),
  ): Promise<{ response: Json; headers: grpc.Metadata }> {
    const [service, method] = splitPath(path)
    const client = this.service(service) as unknown as Record<
      string,
      (
        req: Json,
        md: grpc.Metadata,
        cb: (err: grpc.ServiceError | null, res: Json) => void,
      ) => grpc.ClientUnaryCall
    >
    return new Promise((resolve, reject) => {
      let headers = new grpc.Metadata()
      const call = client[method]?.call(client, request, metadata, (err, res) =>
        err ? reject(err) : resolve({ response: res, headers }),
      )
      call?.on('metadata', (md: grpc.Metadata) => {
        headers = md
      })
    })
  }

  /** Opens a server stream and collects what arrives (`keep: false` only counts it). */
  stream(
    path: string,
    request: Json = {},
    metadata: grpc.Metadata = new grpc.Metadata(),
    options: { keep?: boolean } = {},
  ): OpenStream {
    const [service, method] = splitPath(path)
    const client = this.service(service) as unknown as Record<
      string,
      (req: Json, md: grpc.Metadata) => grpc.ClientReadableStream<Json>
    >
    const call = client[method]?.call(client, request, metadata)
    if (!call) throw new Error(`no method ${path}`)
    return new OpenStream(call, options.keep ?? true)
  }

  /** Sends `bytes` as the request body as-is (for malformed-request tests). */
  raw(path: string, bytes: Buffer): Promise<Buffer> {
    let client = this.#clients.get('raw')
    if (!client) {
      client = new grpc.Client(this.#address, grpc.credentials.createInsecure(), {
        channelOverride: this.#channel,
      })
      this.#clients.set('raw', client)
    }
    const identity = (b: Buffer) => b
    const raw = client
    return new Promise((resolve, reject) => {
      raw.makeUnaryRequest(`/${path}`, identity, identity, bytes, (err, res) =>
        err || res === undefined ? reject(err) : resolve(res),
      )
    })
  }

  close(): void {
    for (const client of this.#clients.values()) client.close()
    this.#channel.close()
  }
}

/** `kritor.core.CoreService/GetCurrentAccount` → service and method. */
function splitPath(path: string): [string, string] {
  const [service = '', method = ''] = path.split('/')
  return [service, method]
}

export class OpenStream {
  readonly call: grpc.ClientReadableStream<Json>
  readonly received: Json[] = []
  /** Messages received (also when not kept). */
  count = 0
  /** The last message received (also when not kept). */
  last: Json | undefined
  headers: grpc.Metadata | undefined
  status: grpc.StatusObject | undefined
  error: grpc.ServiceError | undefined
  ended = false

  constructor(call: grpc.ClientReadableStream<Json>, keep: boolean) {
    this.call = call
    call.on('data', (data: Json) => {
      this.count++
      this.last = data
      if (keep) this.received.push(data)
    })
    call.on('metadata', (md: grpc.Metadata) => {
      this.headers = md
    })
    call.on('status', (status: grpc.StatusObject) => {
      this.status = status
    })
    call.on('error', (error: grpc.ServiceError) => {
      this.error = error
    })
    call.on('end', () => {
      this.ended = true
    })
  }

  cancel(): void {
    this.call.cancel()
  }
}
