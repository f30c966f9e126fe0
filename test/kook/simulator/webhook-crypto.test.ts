import { createDecipheriv } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ErrorCode, isBridgeError } from '../../../src/errors/bridge-error.js'
import { decryptWebhookPayload, webhookKey } from '../../../src/kook/ingress/webhook-decrypt.js'
import { encryptWebhookPayload } from '../../../src/kook/simulator/webhook-crypto.js'

const payload = JSON.stringify({ s: 0, d: { type: 1, content: '你好, KOOK', verify_token: 'vt' }, sn: 7 })

describe('webhook payload encryption', () => {
  it("round-trips through the receiver's decryptWebhookPayload", () => {
    const encrypted = encryptWebhookPayload(payload, 'my-key')
    expect(decryptWebhookPayload(encrypted, webhookKey('my-key'))).toBe(payload)
  })

  it("uses KOOK's layout: base64(16 ASCII IV chars + base64(AES-256-CBC ciphertext)), key \\0-padded", () => {
    const encrypted = encryptWebhookPayload(payload, 'my-key', 'ABCDEFGHIJKLMNOP')
    const outer = Buffer.from(encrypted, 'base64')
    expect(outer.subarray(0, 16).toString('latin1')).toBe('ABCDEFGHIJKLMNOP')
    const inner = outer.subarray(16).toString('latin1')
    expect(inner).toMatch(/^[A-Za-z0-9+/]+=*$/)
    const key = Buffer.alloc(32)
    key.write('my-key')
    const decipher = createDecipheriv('aes-256-cbc', key, Buffer.from('ABCDEFGHIJKLMNOP'))
    const plain = Buffer.concat([decipher.update(Buffer.from(inner, 'base64')), decipher.final()])
    expect(plain.toString('utf8')).toBe(payload)
  })

  it('uses a fresh random ASCII IV each time', () => {
    const a = Buffer.from(encryptWebhookPayload(payload, 'k'), 'base64').subarray(0, 16).toString('latin1')
    const b = Buffer.from(encryptWebhookPayload(payload, 'k'), 'base64').subarray(0, 16).toString('latin1')
    expect(a).toMatch(/^[A-Za-z0-9]{16}$/)
    expect(a).not.toBe(b)
  })

  it('refuses a wrong key or garbage with WEBHOOK_INVALID instead of returning nonsense', () => {
    const encrypted = encryptWebhookPayload(payload, 'right')
    for (const [text, key] of [
      [encrypted, 'wrong'],
      ['c2hvcnQ=', 'right'],
    ] as const) {
      let caught: unknown
      try {
        decryptWebhookPayload(text, webhookKey(key))
      } catch (err) {
        caught = err
      }
      expect(isBridgeError(caught, ErrorCode.WebhookInvalid)).toBe(true)
    }
  })
})
