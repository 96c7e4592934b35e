/** `--log.level`, `--log.format` and `--log.summary-interval`, shared by `run` and `receive`. */
import { parseDuration } from '../util/duration.js'
import { createLogger } from '../util/logger.js'
import type { LogFormat, LogLevel, Logger } from '../util/logger.js'
import { UsageError } from './errors.js'

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const FORMATS: readonly LogFormat[] = ['logfmt', 'json']
export const DEFAULT_SUMMARY_INTERVAL = '1m'

export interface LogOptions {
  readonly logger: Logger
  /** 0: no periodic summary. */
  readonly summaryIntervalMs: number
}

export function logOptions(flags: { readonly [name: string]: unknown }): LogOptions {
  const level = String(flags['log.level'] ?? 'info')
  const format = String(flags['log.format'] ?? 'logfmt')
  const summary = String(flags['log.summary-interval'] ?? DEFAULT_SUMMARY_INTERVAL)
  if (!LEVELS.includes(level as LogLevel)) throw new UsageError(`--log.level must be one of ${LEVELS.join(', ')}, got ${level}`)
  if (!FORMATS.includes(format as LogFormat)) throw new UsageError(`--log.format must be one of ${FORMATS.join(', ')}, got ${format}`)
  const parsed = parseDuration(summary)
  if (!parsed.ok || parsed.ms < 0 || (parsed.ms > 0 && parsed.ms < 1000)) {
    throw new UsageError(`--log.summary-interval must be a duration of at least 1s, or 0 to turn the summary off; got ${summary}`)
  }
  return { logger: createLogger({ level: level as LogLevel, format: format as LogFormat }), summaryIntervalMs: parsed.ms }
}

/** The flag definitions, for node:util parseArgs. */
export const LOG_FLAGS = {
  'log.level': { type: 'string', default: 'info' },
  'log.format': { type: 'string', default: 'logfmt' },
  'log.summary-interval': { type: 'string', default: DEFAULT_SUMMARY_INTERVAL }
} as const
