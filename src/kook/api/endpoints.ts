/**
 * The KOOK HTTP API v3 as data (kook.md §5): one row per endpoint, run by the one generic executor in
 * `kook-api.ts`. Adding an endpoint is adding a row; nothing else needs to change.
 *
 * `idempotent` answers one question: may the call be sent again after it *may* have reached KOOK
 * (timeout, connection reset after sending, 5xx)? Every GET may. A POST may only when repeating it
 * cannot change the outcome; a 429 is a different matter (KOOK refused it, so it is retried regardless).
 */
export interface EndpointSpec {
  readonly method: 'GET' | 'POST'
  readonly idempotent: boolean
  /** Sent as `multipart/form-data` instead of JSON. */
  readonly multipart?: true
}

export const KOOK_ENDPOINTS = {
  'gateway/index': { method: 'GET', idempotent: true },

  'user/me': { method: 'GET', idempotent: true },
  'user/view': { method: 'GET', idempotent: true },
  'user/offline': { method: 'POST', idempotent: false },
  // Brings a webhook bot back after KOOK auto-offlined it for slow acks (kook.md §2).
  'user/online': { method: 'POST', idempotent: false },

  'message/list': { method: 'GET', idempotent: true },
  'message/view': { method: 'GET', idempotent: true },
  'message/create': { method: 'POST', idempotent: false },
  'message/update': { method: 'POST', idempotent: false },
  'message/delete': { method: 'POST', idempotent: false },
  'message/reaction-list': { method: 'GET', idempotent: true },
  'message/add-reaction': { method: 'POST', idempotent: false },
  'message/delete-reaction': { method: 'POST', idempotent: false },
  // Undocumented, seen in SDKs only [K]: params msg_id + target_id (channel).
  'message/pin': { method: 'POST', idempotent: false },
  'message/unpin': { method: 'POST', idempotent: false },

  'direct-message/list': { method: 'GET', idempotent: true },
  'direct-message/view': { method: 'GET', idempotent: true },
  'direct-message/create': { method: 'POST', idempotent: false },
  'direct-message/update': { method: 'POST', idempotent: false },
  'direct-message/delete': { method: 'POST', idempotent: false },
  'direct-message/reaction-list': { method: 'GET', idempotent: true },
  'direct-message/add-reaction': { method: 'POST', idempotent: false },
  'direct-message/delete-reaction': { method: 'POST', idempotent: false },

  'user-chat/list': { method: 'GET', idempotent: true },
  'user-chat/view': { method: 'GET', idempotent: true },
  // KOOK creates the chat or returns the existing one for the pair (kook.md §7): repeating it is harmless.
  'user-chat/create': { method: 'POST', idempotent: true },
  'user-chat/delete': { method: 'POST', idempotent: false },

  'guild/list': { method: 'GET', idempotent: true },
  'guild/view': { method: 'GET', idempotent: true },
  'guild/user-list': { method: 'GET', idempotent: true },
  // Sets a value: sending the same nickname twice ends in the same state.
  'guild/nickname': { method: 'POST', idempotent: true },
  'guild/kickout': { method: 'POST', idempotent: false },
  'guild/leave': { method: 'POST', idempotent: false },

  'channel/list': { method: 'GET', idempotent: true },
  'channel/view': { method: 'GET', idempotent: true },
  'channel/create': { method: 'POST', idempotent: false },
  'channel/update': { method: 'POST', idempotent: false },
  'channel/delete': { method: 'POST', idempotent: false },
  'channel/user-list': { method: 'GET', idempotent: true },
  'channel/move-user': { method: 'POST', idempotent: false },
  'channel/kickout': { method: 'POST', idempotent: false },

  'channel-role/index': { method: 'GET', idempotent: true },
  'channel-role/create': { method: 'POST', idempotent: false },
  'channel-role/update': { method: 'POST', idempotent: false },
  'channel-role/delete': { method: 'POST', idempotent: false },

  'guild-role/list': { method: 'GET', idempotent: true },
  'guild-role/create': { method: 'POST', idempotent: false },
  'guild-role/update': { method: 'POST', idempotent: false },
  'guild-role/delete': { method: 'POST', idempotent: false },
  'guild-role/grant': { method: 'POST', idempotent: false },
  'guild-role/revoke': { method: 'POST', idempotent: false },

  'blacklist/list': { method: 'GET', idempotent: true },
  'blacklist/create': { method: 'POST', idempotent: false },
  'blacklist/delete': { method: 'POST', idempotent: false },

  'guild-mute/list': { method: 'GET', idempotent: true },
  'guild-mute/create': { method: 'POST', idempotent: false },
  'guild-mute/delete': { method: 'POST', idempotent: false },

  // KOOK answers 40000 when the `file` part carries no filename: `KookApi.upload` always sets one.
  'asset/create': { method: 'POST', idempotent: false, multipart: true },

  'guild-emoji/list': { method: 'GET', idempotent: true },
  'guild-emoji/create': { method: 'POST', idempotent: false, multipart: true },
  'guild-emoji/update': { method: 'POST', idempotent: false },
  'guild-emoji/delete': { method: 'POST', idempotent: false },

  'invite/list': { method: 'GET', idempotent: true },
  'invite/create': { method: 'POST', idempotent: false },
  'invite/delete': { method: 'POST', idempotent: false },
} as const satisfies Record<string, EndpointSpec>

export type KookRoute = keyof typeof KOOK_ENDPOINTS

/** Whether `value` names an endpoint of the table (for routes arriving as plain strings). */
export function isKookRoute(value: string): value is KookRoute {
  return Object.hasOwn(KOOK_ENDPOINTS, value)
}
