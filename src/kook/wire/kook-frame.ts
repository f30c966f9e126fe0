/**
 * One gateway frame (or webhook POST body once inflated and decrypted): `{ s, d?, sn?, extra? }`
 * (kook.md §1). The ingress decodes frames without zod on the hot path (`kook/ingress/decode-frame.ts`);
 * this schema is the reference shape, used by fixtures, the simulator and tests.
 */
import { z } from 'zod'

export const kookFrameSchema = z.looseObject({
  /** Signal: 0 event, 1 hello, 2 ping, 3 pong, 4 resume, 5 reconnect, 6 resume ack. */
  s: z.int(),
  /** Payload; for s=0 the event envelope (`parseKookEvent` validates it). */
  d: z.record(z.string(), z.unknown()).optional(),
  /** Sequence number, only on s=0. */
  sn: z.int().optional(),
  /** Undocumented (Kook.Net, golang-bot): `{intent: bitmask}` of the subscription that matched. */
  extra: z.looseObject({ intent: z.number().optional() }).optional(),
})
export type KookFrame = z.output<typeof kookFrameSchema>
