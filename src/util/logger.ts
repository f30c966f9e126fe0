import pino, { type Logger } from 'pino'

export type { Logger }

/**
 * Structured logs (pino). Secrets never reach a log line: any field named like a secret is redacted,
 * wherever it appears.
 */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const base = {
    level: options.level ?? 'info',
    redact: {
      paths: [
        'token',
        '*.token',
        '*.*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'verifyToken',
        '*.verifyToken',
        'encryptKey',
        '*.encryptKey',
        'accessToken',
        '*.accessToken',
        'secret',
        '*.secret',
        'ticket',
        '*.ticket',
      ],
      censor: '[redacted]',
    },
  }
  return options.destination ? pino(base, options.destination as pino.DestinationStream) : pino(base)
}

/** A logger that writes nothing: the default in tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
