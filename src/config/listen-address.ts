import { z } from 'zod'

export interface ListenAddress {
  host: string
  port: number
}

/** `host:port`, `[v6]:port` or `:port` (loopback). Port 0 asks the OS for a free port. */
export const listenAddress = z.string().transform((value, ctx): ListenAddress => {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim())
  const port = match ? Number(match[3]) : Number.NaN
  if (!match || port > 65535) {
    ctx.addIssue({ code: 'custom', message: `expected "host:port", got "${value}"` })
    return z.NEVER
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port }
})

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/i

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host)
}

export function formatAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`
}
