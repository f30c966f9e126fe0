/**
 * Executes protocol-neutral Operations against the KOOK HTTP API for one bot. kritor services and
 * OneBot actions decode into Operations and call `run`; this is the only place that knows which KOOK
 * endpoint serves which operation (channel vs DM endpoints, param names such as kickout's
 * `target_id`).
 */
import { renderKookMessages } from '../content/render-kook-messages.js'
import { BridgeError, ErrorCode } from '../errors/bridge-error.js'
import type { KookApi } from '../kook/api/kook-api.js'
import type {
  KookChannel,
  KookChannelMessage,
  KookChannelSummary,
  KookDirectMessage,
  KookGuild,
  KookUser,
} from '../kook/api/responses.js'
import type { MessageEvent } from '../model/bridge-event.js'
import type { MediaElement } from '../model/element.js'
import type {
  ChannelInfo,
  Conversation,
  GuildInfo,
  MemberInfo,
  Operation,
  OperationResult,
  OperationResults,
  OperationRunner,
  UserInfo,
} from '../model/operation.js'
import { type BridgeStore, type MessageRecord, messageRecordOf } from '../store/bridge-store.js'
import type { Logger } from '../util/logger.js'
import type { Metrics } from '../util/metrics.js'
import type { GuildDirectory } from './guild-directory.js'
import type { LoadedMedia } from './media-loader.js'

export interface OperationExecutorOptions {
  api: KookApi
  store: BridgeStore
  guilds: GuildDirectory
  /** The bot's own user (user/me), fetched once at start. */
  self: UserInfo
  loadMedia: (media: MediaElement) => Promise<LoadedMedia>
  /** Whether a media URL is already hosted by KOOK and can be sent without uploading. */
  isHosted: (url: string) => boolean
  /** Turns a KOOK event-shaped object into a MessageEvent through the mapping table (for getMessage). */
  messageFromKook: (d: Record<string, unknown>) => MessageEvent | undefined
  logger?: Logger
  metrics?: Metrics
}

/** KOOK's largest `page_size` for message/list and direct-message/list (kook.md §5). */
export const MAX_HISTORY_PAGE = 100

type Handlers = {
  [K in Operation['op']]: (op: Extract<Operation, { op: K }>) => Promise<OperationResults[K]>
}

function userInfo(user: KookUser): UserInfo {
  const info: UserInfo = { id: user.id, name: user.username, bot: user.bot === true }
  if (user.identify_num) info.identifyNum = user.identify_num
  if (user.avatar) info.avatar = user.avatar
  return info
}

function guildInfo(guild: KookGuild): GuildInfo {
  const info: GuildInfo = { id: guild.id, name: guild.name, ownerId: guild.user_id }
  if (guild.icon) info.icon = guild.icon
  if (guild.default_channel_id && guild.default_channel_id !== '0')
    info.defaultChannelId = guild.default_channel_id
  return info
}

function channelInfo(channel: KookChannelSummary | KookChannel, guildId: string): ChannelInfo {
  const info: ChannelInfo = { id: channel.id, guildId, name: channel.name, kind: channel.type }
  if (channel.parent_id && channel.parent_id !== '0') info.parentId = channel.parent_id
  return info
}

export class OperationExecutor implements OperationRunner {
  readonly #o: OperationExecutorOptions
  readonly #handlers: Handlers

  constructor(options: OperationExecutorOptions) {
    this.#o = options
    this.#handlers = {
      sendMessage: (op) => this.#sendMessage(op),
      recall: (op) => this.#recall(op),
      getMessage: (op) => this.#getMessage(op),
      getHistory: (op) => this.#getHistory(op),
      react: (op) => this.#react(op),
      editMessage: (op) => this.#editMessage(op),
      getSelf: async () => this.#o.self,
      listGuilds: async () => (await this.#o.api.listAll('guild/list')).map(guildInfo),
      getGuild: async (op) => {
        const guild = await this.#o.guilds.guild(op.guildId)
        const info = guildInfo(guild)
        try {
          const page = await this.#o.api.call('guild/user-list', { guild_id: op.guildId, page_size: 1 })
          info.memberCount = page.user_count ?? page.meta?.total
        } catch (error) {
          this.#o.logger?.debug({ err: error, guildId: op.guildId }, 'member count unavailable')
        }
        return info
      },
      listChannels: async (op) =>
        (await this.#o.api.listAll('channel/list', { guild_id: op.guildId })).map((c) =>
          channelInfo(c, op.guildId),
        ),
      getChannel: async (op) => {
        const channel = await this.#o.api.call('channel/view', { target_id: op.channelId })
        return channelInfo(channel, channel.guild_id)
      },
      listMembers: async (op) => {
        const [members] = await Promise.all([
          this.#o.api.listAll('guild/user-list', { guild_id: op.guildId }),
          this.#o.guilds.guild(op.guildId).catch(() => undefined),
        ])
        return members.map((m) => this.#memberInfo(m, op.guildId))
      },
      getMember: async (op) => {
        const [user] = await Promise.all([
          this.#o.api.call('user/view', { user_id: op.userId, guild_id: op.guildId }),
          this.#o.guilds.guild(op.guildId).catch(() => undefined),
        ])
        return this.#memberInfo(user, op.guildId)
      },
      getUser: async (op) => userInfo(await this.#o.api.call('user/view', { user_id: op.userId })),
      // KOOK names the member `target_id` here (satori wrongly sends user_id, kook.md §5).
      kick: async (op) => {
        await this.#o.api.call('guild/kickout', { guild_id: op.guildId, target_id: op.userId })
        return undefined
      },
      setNickname: async (op) => {
        // Omitting `nickname` clears it; KOOK rejects an empty string (2–64 chars).
        const params: Record<string, unknown> = { guild_id: op.guildId }
        if (op.userId !== this.#o.self.id) params['user_id'] = op.userId
        if (op.nickname !== '') params['nickname'] = op.nickname
        await this.#o.api.call('guild/nickname', params)
        return undefined
      },
      leaveGuild: async (op) => {
        await this.#o.api.call('guild/leave', { guild_id: op.guildId })
        return undefined
      },
      listDirectSessions: async () => {
        const chats = await this.#o.api.listAll('user-chat/list')
        return chats.map((chat) => {
          this.#o.store.rememberChatCode(chat.target_info.id, chat.code)
          const user: UserInfo = { id: chat.target_info.id, name: chat.target_info.username, bot: false }
          if (chat.target_info.avatar) user.avatar = chat.target_info.avatar
          return { chatCode: chat.code, user }
        })
      },
    } satisfies Handlers
  }

  run<O extends Operation>(op: O): Promise<OperationResult<O>> {
    const handler = this.#handlers[op.op] as unknown as ((op: O) => Promise<OperationResult<O>>) | undefined
    if (handler === undefined) {
      return Promise.reject(new BridgeError(ErrorCode.UnknownAction, `unknown operation "${String(op.op)}"`))
    }
    this.#o.metrics?.inc('kookbridge_operations_total', { op: op.op })
    return handler(op)
  }

  #memberInfo(user: KookUser, guildId: string): MemberInfo {
    const roles = user.roles ?? []
    const info: MemberInfo = {
      ...userInfo(user),
      guildId,
      nickname: user.nickname ?? '',
      roles,
      role: this.#o.guilds.roleOf(guildId, user.id, roles),
    }
    if (user.joined_at) info.joinedAt = user.joined_at
    if (user.active_time) info.activeAt = user.active_time
    return info
  }

  async #upload(media: MediaElement): Promise<string> {
    const loaded = await this.#o.loadMedia(media)
    return this.#o.api.upload(loaded.data, loaded.filename, loaded.mime)
  }

  async #sendMessage(
    op: Extract<Operation, { op: 'sendMessage' }>,
  ): Promise<OperationResults['sendMessage']> {
    const { target } = op
    if (target.scene === 'direct' && !target.userId && !target.chatCode) {
      throw new BridgeError(ErrorCode.BadParams, 'a direct message needs a user id or a chat code')
    }
    const sends = await renderKookMessages(op.elements, {
      scene: target.scene,
      upload: (media) => this.#upload(media),
      isHosted: this.#o.isHosted,
    })
    if (sends.length === 0) throw new BridgeError(ErrorCode.BadParams, 'the message has no content to send')
    const messageIds: string[] = []
    let time = Date.now()
    for (const send of sends) {
      const params: Record<string, unknown> = { type: send.type, content: send.content }
      if (send.quote !== undefined) params['quote'] = send.quote
      if (op.nonce !== undefined) params['nonce'] = op.nonce
      try {
        if (target.scene === 'channel') {
          params['target_id'] = target.channelId
          if (target.tempUserId !== undefined) params['temp_target_id'] = target.tempUserId
          const result = await this.#o.api.call('message/create', params)
          messageIds.push(result.msg_id)
          time = result.msg_timestamp
        } else {
          // DMs default to type 1 (plain text) on KOOK: the planner always sets the type explicitly.
          if (target.chatCode !== undefined) params['chat_code'] = target.chatCode
          else params['target_id'] = target.userId
          const result = await this.#o.api.call('direct-message/create', params)
          messageIds.push(result.msg_id)
          time = result.msg_timestamp
        }
      } catch (error) {
        if (messageIds.length === 0) throw error
        // Some parts went out: say which, so the caller can still recall them.
        const failure = BridgeError.from(error)
        failure.details['sentMessageIds'] = [...messageIds]
        this.#record(op, messageIds, time)
        throw failure
      }
    }
    this.#record(op, messageIds, time)
    return { messageIds, time }
  }

  #record(op: Extract<Operation, { op: 'sendMessage' }>, messageIds: string[], time: number): void {
    const [first] = messageIds
    if (first === undefined) return
    const { target } = op
    const record: Omit<MessageRecord, 'number'> = {
      msgId: first,
      scene: target.scene,
      userId: this.#o.self.id,
      time,
      parts: messageIds,
    }
    if (target.scene === 'channel') record.channelId = target.channelId
    else {
      const chatCode =
        target.chatCode ?? (target.userId ? this.#o.store.chatCodeFor(target.userId) : undefined)
      if (chatCode !== undefined) record.chatCode = chatCode
    }
    this.#o.store.putMessage(record)
  }

  async #recall(op: Extract<Operation, { op: 'recall' }>): Promise<undefined> {
    if (op.messageIds.length === 0) throw new BridgeError(ErrorCode.BadParams, 'nothing to recall')
    for (const msgId of op.messageIds) {
      const record = this.#o.store.getMessage(msgId)
      const route = record?.scene === 'direct' ? 'direct-message/delete' : 'message/delete'
      await this.#o.api.call(route, { msg_id: msgId })
    }
    return undefined
  }

  async #react(op: Extract<Operation, { op: 'react' }>): Promise<undefined> {
    const direct = this.#o.store.getMessage(op.messageId)?.scene === 'direct'
    const route = direct
      ? op.add
        ? 'direct-message/add-reaction'
        : 'direct-message/delete-reaction'
      : op.add
        ? 'message/add-reaction'
        : 'message/delete-reaction'
    await this.#o.api.call(route, { msg_id: op.messageId, emoji: op.emoji })
    return undefined
  }

  async #editMessage(op: Extract<Operation, { op: 'editMessage' }>): Promise<undefined> {
    const record = this.#o.store.getMessage(op.messageId)
    const scene = record?.scene ?? 'channel'
    const sends = await renderKookMessages(op.elements, {
      scene,
      upload: (media) => this.#upload(media),
      isHosted: this.#o.isHosted,
    })
    const [send] = sends
    // KOOK edits only KMarkdown and card messages, and one message stays one message.
    if (sends.length !== 1 || send === undefined || (send.type !== 9 && send.type !== 10)) {
      throw new BridgeError(
        ErrorCode.Unsupported,
        'KOOK can only edit a message into one KMarkdown or card message',
      )
    }
    const params: Record<string, unknown> = { msg_id: op.messageId, content: send.content }
    if (send.quote !== undefined) params['quote'] = send.quote
    await this.#o.api.call(scene === 'direct' ? 'direct-message/update' : 'message/update', params)
    return undefined
  }

  async #getMessage(op: Extract<Operation, { op: 'getMessage' }>): Promise<MessageEvent> {
    const record = this.#o.store.getMessage(op.messageId)
    let d: Record<string, unknown>
    if (record?.scene === 'direct') {
      const chatCode = record.chatCode ?? this.#o.store.chatCodeFor(record.userId)
      if (chatCode === undefined) {
        throw new BridgeError(ErrorCode.NotFound, `no DM chat code known for message ${op.messageId}`)
      }
      const view = await this.#o.api.call('direct-message/view', {
        chat_code: chatCode,
        msg_id: op.messageId,
      })
      d = directViewToEvent(view, chatCode, this.#o.self.id)
    } else {
      const view = await this.#o.api.call('message/view', { msg_id: op.messageId })
      d = channelViewToEvent(view, record)
    }
    const event = this.#o.messageFromKook(d)
    if (event === undefined) {
      throw new BridgeError(ErrorCode.NotFound, `message ${op.messageId} could not be read`, {
        details: { messageId: op.messageId },
      })
    }
    return event
  }

  async #getHistory(op: Extract<Operation, { op: 'getHistory' }>): Promise<MessageEvent[]> {
    if (!Number.isSafeInteger(op.count) || op.count < 1) {
      throw new BridgeError(ErrorCode.BadParams, `count: expected at least 1 message, got ${op.count}`)
    }
    const count = Math.min(op.count, MAX_HISTORY_PAGE)
    const direction = op.direction ?? 'before'
    // KOOK's before/after pages leave the anchor out: fetch it separately and make room for it.
    const withAnchor = op.anchor !== undefined && op.includeAnchor === true && direction !== 'around'
    const pageSize = withAnchor ? count - 1 : count
    const cursor: Record<string, unknown> = {}
    if (op.anchor !== undefined) {
      cursor['msg_id'] = op.anchor
      cursor['flag'] = direction
    }
    const items =
      op.target.scene === 'channel'
        ? await this.#channelHistory(
            op.target.channelId,
            cursor,
            pageSize,
            withAnchor ? op.anchor : undefined,
          )
        : await this.#directHistory(op.target, cursor, pageSize, withAnchor ? op.anchor : undefined)
    // The anchor comes back last; on an `after` page it is the oldest message, so it goes first.
    if (withAnchor && direction === 'after') items.unshift(...items.splice(items.length - 1, 1))
    const events: MessageEvent[] = []
    for (const item of items) {
      const event = this.#o.messageFromKook(item)
      if (event === undefined) {
        // Not silent: a message the mapping table cannot read is counted, and the page is shorter.
        this.#o.metrics?.inc('kookbridge_history_unreadable_total')
        this.#o.logger?.warn({ msgId: item['msg_id'] }, 'history message could not be read; left out')
        continue
      }
      this.#index(event)
      events.push(event)
    }
    return events
  }

  /** Event-shaped channel messages, oldest first; the anchor (when asked for) last. */
  async #channelHistory(
    channelId: string,
    cursor: Record<string, unknown>,
    pageSize: number,
    anchor: string | undefined,
  ): Promise<Array<Record<string, unknown>>> {
    const [page, anchorView] = await Promise.all([
      pageSize > 0
        ? this.#o.api.call('message/list', { target_id: channelId, ...cursor, page_size: pageSize })
        : { items: [] },
      anchor === undefined ? undefined : this.#o.api.call('message/view', { msg_id: anchor }),
    ])
    const views = anchorView === undefined ? page.items : [...page.items, anchorView]
    // List items name no guild; the message index usually knows it from events, else channel/view does.
    let guildId = this.#o.store.getMessage(anchor ?? '')?.guildId
    for (const view of views) guildId ??= this.#o.store.getMessage(view.id)?.guildId
    if (guildId === undefined && views.length > 0) {
      guildId = (await this.#o.api.call('channel/view', { target_id: channelId })).guild_id
    }
    const place = { guildId: guildId ?? '', channelId, userId: '' }
    return views.map((view) => channelViewToEvent(view, place))
  }

  /** Event-shaped DMs, oldest first; the anchor (when asked for) last. */
  async #directHistory(
    target: Extract<Conversation, { scene: 'direct' }>,
    cursor: Record<string, unknown>,
    pageSize: number,
    anchor: string | undefined,
  ): Promise<Array<Record<string, unknown>>> {
    let { chatCode, userId } = target
    chatCode ??= userId === undefined ? undefined : this.#o.store.chatCodeFor(userId)
    userId ??= this.#o.store.directPeers().find((peer) => peer.chatCode === chatCode)?.userId
    if (chatCode === undefined) {
      if (userId === undefined) {
        throw new BridgeError(ErrorCode.BadParams, 'a DM history needs a user id or a chat code')
      }
      // direct-message/view needs the chat code, and the list's answer never names it: learn it once.
      // KOOK returns the existing chat for the pair (kook.md §7), so this creates nothing new.
      const chat = await this.#o.api.call('user-chat/create', { target_id: userId })
      chatCode = chat.code
      this.#o.store.rememberChatCode(userId, chatCode)
    }
    const code = chatCode
    const [page, anchorView] = await Promise.all([
      pageSize > 0
        ? this.#o.api.call('direct-message/list', { chat_code: code, ...cursor, page_size: pageSize })
        : { items: [] },
      anchor === undefined
        ? undefined
        : this.#o.api.call('direct-message/view', { chat_code: code, msg_id: anchor }),
    ])
    const views = anchorView === undefined ? page.items : [...page.items, anchorView]
    return views.map((view) => directViewToEvent(view, code, this.#o.self.id, userId))
  }

  /** Puts a read message in the index (idempotent), so its number is the one events used or a fresh one. */
  #index(event: MessageEvent): void {
    this.#o.store.putMessage(messageRecordOf(event))
  }
}

/** message/view answers in a different shape than the gateway event: rebuild the event shape. */
function channelViewToEvent(
  view: KookChannelMessage,
  record: Pick<MessageRecord, 'guildId' | 'channelId' | 'userId'> | undefined,
): Record<string, unknown> {
  const extra: Record<string, unknown> = {
    type: view.type,
    guild_id: record?.guildId ?? '',
    mention: (view.mention ?? []).map(String),
    mention_all: view.mention_all ?? false,
    mention_here: view.mention_here ?? false,
    mention_roles: view.mention_roles ?? [],
    author: view.author,
    kmarkdown: {
      raw_content: '',
      mention_part: view.mention_info?.mention_part ?? [],
      mention_role_part: view.mention_info?.mention_role_part ?? [],
    },
  }
  if (view.attachments) extra['attachments'] = view.attachments
  if (view.quote) extra['quote'] = view.quote
  return {
    channel_type: 'GROUP',
    type: view.type,
    target_id: view.channel_id ?? record?.channelId ?? '',
    author_id: view.author?.id ?? record?.userId ?? '',
    content: view.content,
    msg_id: view.id,
    msg_timestamp: view.create_at,
    nonce: '',
    extra,
  }
}

/** `peerId`: the other party of the chat, the event's `target_id` when the bot wrote the message. */
function directViewToEvent(
  view: KookDirectMessage,
  chatCode: string,
  selfId: string,
  peerId?: string,
): Record<string, unknown> {
  const extra: Record<string, unknown> = {
    type: view.type,
    code: chatCode,
    author: { id: view.author_id, username: '', identify_num: '', avatar: '', bot: false },
  }
  if (view.attachments) extra['attachments'] = view.attachments
  if (view.quote) extra['quote'] = view.quote
  return {
    channel_type: 'PERSON',
    type: view.type,
    target_id: view.author_id === selfId && peerId !== undefined ? peerId : selfId,
    author_id: view.author_id,
    content: view.content,
    msg_id: view.id,
    msg_timestamp: view.create_at,
    nonce: '',
    extra,
  }
}
