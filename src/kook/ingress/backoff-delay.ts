/**
 * The wait before retry number `attempt` (0-based): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter": never less than half the step, so a flapping gateway cannot turn into a reconnect
 * storm (kook.md §8.4), and randomised in the other half, so many bots cut off together do not come back
 * in lockstep and trip gateway/index's own rate limit.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30))
  return Math.round(step / 2 + random() * (step / 2))
}
