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
  GuildInfo,
  MemberInfo,
  Operation,
  OperationResult,
  OperationResults,
  OperationRunner,
  UserInfo,
} from '../model/operation.js'
import type { BridgeStore, MessageRecord } from '../store/bridge-store.js'
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
}

/** message/view answers in a different shape than the gateway event: rebuild the event shape. */
function channelViewToEvent(
  view: KookChannelMessage,
  record: MessageRecord | undefined,
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

function directViewToEvent(
  view: KookDirectMessage,
  chatCode: string,
  selfId: string,
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
    target_id: selfId,
    author_id: view.author_id,
    content: view.content,
    msg_id: view.id,
    msg_timestamp: view.create_at,
    nonce: '',
    extra,
  }
}
