/**
 * `toObject` for tests: our generated code has no converters (pbjs `--no-convert`: the bridge never
 * uses them, and they were half of the module V8 keeps in memory), so tests read decoded messages
 * through protobufjs reflection over our own proto/ files instead. Same options, same output.
 */
import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import protobuf from 'protobufjs'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const KRITOR = join(repoRoot, 'proto', 'kritor', '1.0.3')
const EXTENSION = join(repoRoot, 'proto', 'kookbridge', 'v1', 'extension.proto')

let root: protobuf.Root | undefined

function schema(): protobuf.Root {
  if (root !== undefined) return root
  const files = readdirSync(KRITOR, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.proto'))
    .map((entry) => relative(KRITOR, join(entry.parentPath, entry.name)).split('\\').join('/'))
  const loaded = new protobuf.Root()
  // kritor's imports are relative to its root folder, as protoc resolves them.
  loaded.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(KRITOR, target))
  loaded.loadSync([...files, EXTENSION], { keepCase: true })
  loaded.resolveAll()
  root = loaded
  return loaded
}

/** A decoded message (from the generated decoder) as a plain object, like the generated `toObject`. */
export function protoObject(
  typeName: string,
  message: object,
  options: protobuf.IConversionOptions = {},
): Record<string, unknown> {
  const type = schema().lookupType(typeName)
  return type.toObject(message as protobuf.Message, options)
}
