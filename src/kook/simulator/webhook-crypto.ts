import { createCipheriv, createDecipheriv, randomInt } from 'node:crypto'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'

const IV_LENGTH = 16
const KEY_LENGTH = 32
const IV_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * KOOK's AES key: the console's encrypt_key as UTF-8, right-padded with `\0` to 32 bytes (kook.md §2).
 * The official golang-bot also truncates keys longer than 32 bytes; we do the same.
 */
function webhookKey(encryptKey: string): Buffer {
  const key = Buffer.alloc(KEY_LENGTH, 0)
  Buffer.from(encryptKey, 'utf8').copy(key, 0, 0, KEY_LENGTH)
  return key
}

function randomAsciiIv(): string {
  let iv = ''
  for (let i = 0; i < IV_LENGTH; i++) iv += IV_ALPHABET[randomInt(IV_ALPHABET.length)]
  return iv
}

/**
 * Encrypts a webhook payload the way KOOK does: AES-256-CBC (PKCS#7) under a 16-character ASCII IV, and the
 * value of `{"encrypt": …}` is `base64(iv + base64(ciphertext))` — the ciphertext is base64'd *twice*, once
 * on its own and once together with the IV in front (kook.md §2).
 *
 * @param iv 16 ASCII characters; random when omitted (tests pass one for a stable output).
 */
export function encryptWebhookPayload(json: string, key: string, iv: string = randomAsciiIv()): string {
  const ivBytes = Buffer.from(iv, 'latin1')
  if (ivBytes.length !== IV_LENGTH) {
    throw new BridgeError(ErrorCode.BadParams, `webhook IV must be ${IV_LENGTH} ASCII characters`)
  }
  const cipher = createCipheriv('aes-256-cbc', webhookKey(key), ivBytes)
  const ciphertext = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()])
  return Buffer.concat([ivBytes, Buffer.from(ciphertext.toString('base64'), 'latin1')]).toString('base64')
}

/**
 * Reverses {@link encryptWebhookPayload}: base64-decode → first 16 bytes are the IV → the rest is base64 text
 * of the ciphertext. Throws a `WEBHOOK_INVALID` BridgeError on anything that does not decrypt.
 */
export function decryptWebhookPayload(encrypt: string, key: string): string {
  const raw = Buffer.from(encrypt, 'base64')
  if (raw.length <= IV_LENGTH) {
    throw new BridgeError(ErrorCode.WebhookInvalid, 'encrypted webhook payload is too short')
  }
  const iv = raw.subarray(0, IV_LENGTH)
  const ciphertext = Buffer.from(raw.subarray(IV_LENGTH).toString('latin1'), 'base64')
  try {
    const decipher = createDecipheriv('aes-256-cbc', webhookKey(key), iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
  } catch (cause) {
    throw new BridgeError(ErrorCode.WebhookInvalid, 'webhook payload does not decrypt with this key', {
      cause,
    })
  }
}
