import { z } from 'zod'

/**
 * kritor gRPC endpoint settings of one bot. Filled in by the kritor endpoint work; every default
 * lives here and nowhere else.
 */
export const KritorSchema = z.strictObject({
  enabled: z.boolean().default(false),
})
export type KritorConfig = z.infer<typeof KritorSchema>
