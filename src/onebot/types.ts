/**
 * OneBot v11 wire types: what goes over WS / HTTP as JSON. No logic lives here.
 * Field names are verbatim from the spec and the go-cqhttp / NapCat extensions (onebot-v11.md §A3–§A7).
 */

/** One message segment as emitted: every `data` value is a string (onebot-v11.md §A5). */
export interface Segment {
  type: string
  data: Record<string, string>
}

/** A segment as received from a consumer: values may be numbers or booleans, `data` may be missing. */
export interface InboundSegment {
  type: string
  data?: Record<string, unknown>
}

/** `array` form or a CQ string, per `messageFormat`. */
export type WireMessage = Segment[] | string

export type PostType = 'message' | 'notice' | 'request' | 'meta_event'

export interface WireEventBase {
  /** Seconds since the epoch. */
  time: number
  /** The same JSON type as `get_login_info.user_id` (Karin compares with `===`, karin.md §2). */
  self_id: number
  post_type: PostType
}

export type SenderRole = 'owner' | 'admin' | 'member'

export interface GroupSender {
  user_id: number
  nickname: string
  card: string
  sex: 'unknown'
  age: number
  area: string
  level: string
  role: SenderRole
  title: string
}

export interface PrivateSender {
  user_id: number
  nickname: string
  sex: 'unknown'
  age: number
}

export interface GroupMessageEvent extends WireEventBase {
  post_type: 'message'
  message_type: 'group'
  sub_type: 'normal'
  message_id: number
  group_id: number
  user_id: number
  anonymous: null
  message: WireMessage
  raw_message: string
  font: number
  sender: GroupSender
}

export interface PrivateMessageEvent extends WireEventBase {
  post_type: 'message'
  message_type: 'private'
  sub_type: 'friend'
  message_id: number
  user_id: number
  target_id: number
  message: WireMessage
  raw_message: string
  font: number
  sender: PrivateSender
}

/** go-cqhttp guild extension: every id a string (onebot-v11.md §A4). */
export interface GuildMessageEvent extends WireEventBase {
  post_type: 'message'
  message_type: 'guild'
  sub_type: 'channel'
  message_id: string
  guild_id: string
  channel_id: string
  user_id: string
  self_tiny_id: string
  message: WireMessage
  raw_message: string
  font: number
  sender: { user_id: string; tiny_id: string; nickname: string }
}

export type MessageWireEvent = GroupMessageEvent | PrivateMessageEvent | GuildMessageEvent

/** Notices vary by `notice_type`; the encoder documents each shape it emits. */
export interface NoticeWireEvent extends WireEventBase {
  post_type: 'notice'
  notice_type: string
  sub_type?: string
  [field: string]: unknown
}

export interface RequestWireEvent extends WireEventBase {
  post_type: 'request'
  request_type: 'friend' | 'group'
  sub_type?: 'add' | 'invite'
  user_id: number
  group_id?: number
  comment: string
  flag: string
}

export interface WireStatus {
  online: boolean
  good: boolean
  [field: string]: unknown
}

export interface LifecycleEvent extends WireEventBase {
  post_type: 'meta_event'
  meta_event_type: 'lifecycle'
  sub_type: 'connect' | 'enable' | 'disable'
}

export interface HeartbeatEvent extends WireEventBase {
  post_type: 'meta_event'
  meta_event_type: 'heartbeat'
  status: WireStatus
  /** Milliseconds to the next heartbeat. */
  interval: number
}

export type WireEvent =
  | MessageWireEvent
  | NoticeWireEvent
  | RequestWireEvent
  | LifecycleEvent
  | HeartbeatEvent

/** An action call (`echo` is any JSON value and must come back unchanged, §A3). */
export interface ActionRequest {
  action: string
  params?: unknown
  echo?: unknown
}

export type ResponseStatus = 'ok' | 'async' | 'failed'

/**
 * The response envelope: the safe superset of gocq and NapCat (§A3). `msg` is the UPPER_SNAKE failure
 * code, `wording` / `message` the readable text. `echo` is present only when the request had one.
 */
export interface ActionResponse {
  status: ResponseStatus
  retcode: number
  data: unknown
  message: string
  wording: string
  msg?: string
  echo?: unknown
}
