// The Karin 1.x app plugin of the end-to-end test (copied to plugins/karin-plugin-e2e/ by the harness).
// One command per thing a KOOK user would notice; names per node-karin 1.15.5 dist/index.d.ts.
import fs from 'node:fs'
import path from 'node:path'
import { karin, segment } from 'node-karin'

const ASSETS = path.join(process.cwd(), '@karinjs', 'resource', 'karin-plugin-e2e')

export const ping = karin.command(/^#ping$/, 'pong', { name: 'e2e-ping', priority: 1 })

/** `reply: true` puts a reply segment to the trigger in front. */
export const quote = karin.command(/^#quote$/, 'pong (quoted)', { name: 'e2e-quote', reply: true })

/** `at: true` puts an at segment of the sender in front (groups only). */
export const at = karin.command(/^#at$/, ' pong (mention)', { name: 'e2e-at', at: true })

/** An image as inline data, the way rendered screenshots are usually sent. */
export const image = karin.command(
  /^#img$/,
  async (e) => {
    const data = fs.readFileSync(path.join(ASSETS, 'red.png')).toString('base64')
    await e.reply(segment.image(`base64://${data}`))
    return true
  },
  { name: 'e2e-img' },
)

/** An image as a local path: Karin passes file:// through to a loopback OneBot peer (karin.md §3). */
export const imageFile = karin.command(
  /^#imgfile$/,
  async (e) => {
    await e.reply(segment.image(`file://${path.join(ASSETS, 'blue.png')}`))
    return true
  },
  { name: 'e2e-imgfile' },
)

/** Sends a message, then recalls it through the bot API (`delete_msg` on OneBot). */
export const recall = karin.command(
  /^#recall$/,
  async (e) => {
    const sent = await e.reply('recall me')
    await e.bot.recallMsg(e.contact, sent.messageId)
    return true
  },
  { name: 'e2e-recall' },
)
