/**
 * What both ingress paths (gateway WebSocket and webhook) hand downstream: one KOOK event (`d` of an
 * s=0 frame), already in order and de-duplicated. Validation against the wire model happens after
 * this point, so a malformed event is still delivered (and then kept raw and counted), never lost.
 */
export interface IngressEvent {
  /** `d` of the frame, as parsed JSON. */
  data: Record<string, unknown>
  /** Sequence number within the session (gateway) or webhook delivery, when present. */
  sn?: number
  via: 'ws' | 'webhook'
}

export type IngressSink = (event: IngressEvent) => void
