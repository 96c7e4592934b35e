/**
 * Structured logging (pino). One root logger is created in main and handed down; components derive
 * children with `{ component: id }`. Credential-looking fields are redacted as a second line of defence:
 * secrets are `Secret` values, which already print as "(secret)".
 */
import { pino } from 'pino'
import type { Logger as PinoLogger } from 'pino'

export type Logger = PinoLogger

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFormat = 'logfmt' | 'json'

const REDACT_PATHS = [
  'password',
  '*.password',
  'bearer_token',
  '*.bearer_token',
  'credentials',
  '*.credentials',
  'client_secret',
  '*.client_secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.Authorization'
]

export interface LoggerOptions {
  readonly level?: LogLevel
  readonly format?: LogFormat
  /** Where to write; defaults to stderr so that command output on stdout stays clean. */
  readonly destination?: NodeJS.WritableStream
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr
  const opts = {
    level: options.level ?? 'info',
    base: null,
    redact: { paths: REDACT_PATHS, censor: '(secret)' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) }
  }
  if (options.format === 'json') return pino(opts, destination as pino.DestinationStream)
  return pino(opts, logfmtStream(destination))
}

/** A logger that drops everything (for unit tests of pure-ish code). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}

/** Turns pino's JSON lines into logfmt: `time=... level=info msg="..." key=value`. */
function logfmtStream(out: NodeJS.WritableStream): pino.DestinationStream {
  return {
    write(line: string): void {
      let record: Record<string, unknown>
      try {
        record = JSON.parse(line) as Record<string, unknown>
      } catch {
        out.write(line)
        return
      }
      const parts: string[] = []
      for (const [k, v] of Object.entries(record)) parts.push(`${k}=${logfmtValue(v)}`)
      out.write(`${parts.join(' ')}\n`)
    }
  }
}

function logfmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? 'null'
  return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s)
}
