import { createDecipheriv } from 'node:crypto'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'

const KEY_BYTES = 32
const IV_BYTES = 16
const AES_BLOCK = 16

/**
 * The AES-256 key KOOK derives from the console's "Encrypt Key": its UTF-8 bytes right-padded with NUL
 * to 32 bytes (kook.md §2). A longer key is cut at 32 bytes, as the official golang-bot does.
 */
export function webhookKey(encryptKey: string): Buffer {
  const key = Buffer.alloc(KEY_BYTES) // zero-filled: the NUL padding
  Buffer.from(encryptKey, 'utf8').copy(key, 0, 0, KEY_BYTES)
  return key
}

/**
 * Decrypts the `encrypt` field of a webhook body into the event JSON text.
 *
 * KOOK's layout is doubly base64 (kook.md §2): base64-decode the string → the first 16 bytes are the IV
 * (16 ASCII characters) → the remainder is *itself* base64 text → decode it → AES-256-CBC ciphertext
 * with PKCS#7 padding.
 *
 * @throws BridgeError WEBHOOK_INVALID when the layout is wrong or the key does not fit (bad padding).
 */
export function decryptWebhookPayload(encrypt: string, key: Buffer): string {
  const outer = Buffer.from(encrypt, 'base64')
  if (outer.length <= IV_BYTES) {
    throw new BridgeError(ErrorCode.WebhookInvalid, 'encrypted webhook body is too short to hold an IV')
  }
  const iv = outer.subarray(0, IV_BYTES)
  const ciphertext = Buffer.from(outer.subarray(IV_BYTES).toString('latin1'), 'base64')
  if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK !== 0) {
    throw new BridgeError(
      ErrorCode.WebhookInvalid,
      `encrypted webhook body holds ${ciphertext.length} bytes of ciphertext, not whole AES blocks`,
    )
  }
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, iv)
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
  } catch (cause) {
    // Bad padding after decryption almost always means a different Encrypt Key in the console.
    throw new BridgeError(
      ErrorCode.WebhookInvalid,
      'encrypted webhook body does not decrypt with the configured encryptKey (does it match the console?)',
      { cause },
    )
  }
}
