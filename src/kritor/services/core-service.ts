/**
 * kritor.core.CoreService: who the bot is (the first call koishi and Karin make, kritor.md §2).
 * account_uid is the KOOK user id, account_uin the same number, account_name the KOOK username.
 */
import type { services } from '../../../gen/kritor/1.0.3/services.js'
import { u64Of } from '../kritor-ids.js'
import { type ServiceImpl, unimplemented } from '../service-impl.js'
import type { ServiceDeps } from './service-deps.js'

type Service = (typeof services)['kritor.core.CoreService']

export function coreService(deps: ServiceDeps): ServiceImpl<Service> {
  return {
    GetVersion: async () => ({ version: deps.version, app_name: 'kookbridge' }),
    GetCurrentAccount: async () => ({
      account_uid: deps.bot.id,
      account_uin: u64Of(deps.bot.id, deps.onInvalidId),
      account_name: deps.bot.nickname || deps.bot.name,
    }),
    DownloadFile: unimplemented(
      'the bridge does not download files for the framework; KOOK media URLs are public https links',
    ),
    SwitchAccount: unimplemented('each kritor listener serves exactly one KOOK bot'),
  }
}
