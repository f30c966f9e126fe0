import { z } from 'zod'

/**
 * OneBot v11 endpoint settings of one bot. Filled in by the OneBot endpoint work; every default
 * lives here and nowhere else.
 */
export const OneBotSchema = z.strictObject({
  enabled: z.boolean().default(false),
})
export type OneBotConfig = z.infer<typeof OneBotSchema>
