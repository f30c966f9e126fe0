import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isBridgeError } from '../../src/errors/bridge-error.js'
import { type DecodeMessageContext, decodeMessage } from '../../src/onebot/decode-message.js'
import { MemoryStore } from '../../src/store/memory-store.js'
import { BIG_CHANNEL_ID, MSG_ID, USER_ID } from './support/bridge-events.js'

let dir: string
let root: string
let outside: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kookbridge-onebot-'))
  root = join(dir, 'media')
  outside = join(dir, 'secret')
  await mkdir(root)
  await mkdir(outside)
  await writeFile(join(root, 'cat.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]))
  await writeFile(join(outside, 'token.txt'), 'do not read')
  await symlink(join(outside, 'token.txt'), join(root, 'escape.txt'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function context(overrides: Partial<DecodeMessageContext> = {}): DecodeMessageContext {
  return { store: new MemoryStore(), fileRoots: [root], maxMediaBytes: 1024, ...overrides }
}

async function failure(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (isBridgeError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected a failure')
}

describe('decodeMessage: message shapes', () => {
  it('accepts a CQ string, an array and a single segment object', async () => {
    const ctx = context()
    expect(await decodeMessage('hi [CQ:at,qq=all]', false, ctx)).toEqual([
      { type: 'text', text: 'hi ' },
      { type: 'mention', kind: 'all' },
    ])
    expect(await decodeMessage([{ type: 'text', data: { text: 'a' } }], false, ctx)).toEqual([
      { type: 'text', text: 'a' },
    ])
    expect(await decodeMessage({ type: 'text', data: { text: 'b' } }, false, ctx)).toEqual([
      { type: 'text', text: 'b' },
    ])
  })

  it('sends a string literally with auto_escape', async () => {
    expect(await decodeMessage('[CQ:at,qq=all]', true, context())).toEqual([
      { type: 'text', text: '[CQ:at,qq=all]' },
    ])
  })

  it('names the segment and the field when a segment is wrong', async () => {
    await expect(
      failure(decodeMessage([{ type: 'text', data: { text: 'a' } }, { type: 'at' }], false, context())),
    ).resolves.toEqual({
      code: 'BAD_PARAMS',
      message: 'message[1] (at): data.qq is required',
    })
    await expect(failure(decodeMessage(42, false, context()))).resolves.toMatchObject({
      code: 'BAD_PARAMS',
      message: 'message: expected a string, a segment array or a segment object, got number',
    })
    await expect(
      failure(decodeMessage([{ type: 'dice', data: {} }], false, context())),
    ).resolves.toMatchObject({
      code: 'UNSUPPORTED',
      message: 'message[0] (dice): KOOK has no equivalent of "dice"',
    })
    await expect(failure(decodeMessage('', false, context()))).resolves.toMatchObject({
      message: 'message: is empty',
    })
  })
})

describe('decodeMessage: ids', () => {
  it('turns at.qq (number or string) back into the KOOK user id, and an alias into the big id', async () => {
    const ctx = context()
    const alias = ctx.store.numberFor('user', '90000000000000000')
    expect(
      await decodeMessage(
        [
          { type: 'at', data: { qq: Number(USER_ID) } },
          { type: 'at', data: { qq: String(alias) } },
        ],
        false,
        ctx,
      ),
    ).toEqual([
      { type: 'mention', kind: 'user', id: USER_ID },
      { type: 'mention', kind: 'user', id: '90000000000000000' },
    ])
  })

  it('turns a reply id into the KOOK msg_id, and refuses an unknown one', async () => {
    const ctx = context()
    const record = ctx.store.putMessage({
      msgId: MSG_ID,
      scene: 'channel',
      channelId: BIG_CHANNEL_ID,
      userId: USER_ID,
      time: 0,
      parts: [MSG_ID],
    })
    expect(await decodeMessage([{ type: 'reply', data: { id: String(record.number) } }], false, ctx)).toEqual(
      [{ type: 'reply', messageId: MSG_ID }],
    )
    await expect(failure(decodeMessage('[CQ:reply,id=999]', false, ctx))).resolves.toEqual({
      code: 'NOT_FOUND',
      message: 'message[0] (reply): no message with message_id 999',
    })
  })
})

describe('decodeMessage: content', () => {
  it('keeps http(s) media as URLs and turns base64:// into bytes', async () => {
    const out = await decodeMessage(
      [
        { type: 'image', data: { file: 'https://example.com/a.png' } },
        { type: 'record', data: { file: 'base64://aGVsbG8=' } },
      ],
      false,
      context(),
    )
    expect(out[0]).toEqual({ type: 'image', url: 'https://example.com/a.png' })
    expect(out[1]).toMatchObject({ type: 'audio', url: '' })
    expect(Buffer.from((out[1] as { data: Uint8Array }).data).toString()).toBe('hello')
  })

  it('maps markdown to KMarkdown, card JSON to a card, and other JSON to text', async () => {
    const card = JSON.stringify({ type: 'card', theme: 'primary', size: 'lg', modules: [] })
    const out = await decodeMessage(
      [
        { type: 'markdown', data: { content: '**hi**' } },
        { type: 'json', data: { data: card } },
        { type: 'json', data: { data: '{"app":"com.tencent.miniapp"}' } },
        { type: 'face', data: { id: '123/abc', name: 'party' } },
      ],
      false,
      context(),
    )
    expect(out).toEqual([
      { type: 'kmarkdown', content: '**hi**' },
      { type: 'card', json: `[${card}]` },
      { type: 'text', text: '{"app":"com.tencent.miniapp"}' },
      { type: 'emoji', kind: 'guild', id: '123/abc', name: 'party' },
    ])
  })
})

describe('decodeMessage: file:// only under fileRoots', () => {
  it('reads a file under a root into bytes, with its name', async () => {
    const [image] = await decodeMessage(
      [{ type: 'image', data: { file: pathToFileURL(join(root, 'cat.png')).href } }],
      false,
      context(),
    )
    expect(image).toMatchObject({ type: 'image', url: '', name: 'cat.png' })
    expect([...(image as { data: Uint8Array }).data]).toEqual([0x89, 0x50, 0x4e, 0x47])
  })

  it.each([
    ['a file outside every root', () => pathToFileURL(join(outside, 'token.txt')).href],
    ['a .. escape', () => `file://${root}/../secret/token.txt`],
    ['a symlink inside a root pointing outside', () => pathToFileURL(join(root, 'escape.txt')).href],
    ['/etc/passwd', () => 'file:///etc/passwd'],
  ])('refuses %s with FILE_NOT_ALLOWED', async (_name, url) => {
    await expect(
      failure(decodeMessage([{ type: 'image', data: { file: url() } }], false, context())),
    ).resolves.toMatchObject({
      code: 'FILE_NOT_ALLOWED',
    })
  })

  it('refuses every file:// when no root is configured', async () => {
    const url = pathToFileURL(join(root, 'cat.png')).href
    await expect(
      failure(decodeMessage([{ type: 'image', data: { file: url } }], false, context({ fileRoots: [] }))),
    ).resolves.toMatchObject({ code: 'FILE_NOT_ALLOWED' })
  })

  it('refuses a file larger than maxMediaBytes', async () => {
    const url = pathToFileURL(join(root, 'cat.png')).href
    await expect(
      failure(decodeMessage([{ type: 'image', data: { file: url } }], false, context({ maxMediaBytes: 3 }))),
    ).resolves.toMatchObject({ code: 'BAD_PARAMS' })
  })
})
