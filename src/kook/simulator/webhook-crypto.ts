import { createCipheriv, randomInt } from 'node:crypto'
import { BridgeError, ErrorCode } from '../../errors/bridge-error.js'
// The key derivation is the receiver's: the simulator encrypts exactly what the bridge decrypts.
import { webhookKey } from '../ingress/webhook-decrypt.js'

const IV_LENGTH = 16
const IV_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

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
