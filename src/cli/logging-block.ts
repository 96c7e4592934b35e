/**
 * Alloy's top-level `logging { level, format, write_to }` block. It is configuration of the process, not a
 * component, so it is taken out of the file before the component graph is built. `level` and `format` are
 * honoured (the --log.* flags override them); `write_to` forwards logs to a Loki component, which shardscope
 * does not have, so it is accepted with a warning. See docs/alloy-compatibility.md.
 */
import { decodeBlockBody } from '../runtime/index.js'
import { t } from '../runtime/index.js'
import type { BlockSpec } from '../runtime/index.js'
import type { File, Statement } from '../syntax/index.js'
import type { Diagnostic } from '../syntax/index.js'
import { evaluate } from '../syntax/index.js'
import type { LogFormat, LogLevel } from '../util/logger.js'

export interface LoggingSettings {
  readonly level?: LogLevel
  readonly format?: LogFormat
}

export interface ExtractedLogging {
  readonly file: File
  readonly logging: LoggingSettings
  readonly diagnostics: Diagnostic[]
  readonly warnings: Diagnostic[]
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const
const FORMATS = ['logfmt', 'json'] as const

const LOGGING_SCHEMA: BlockSpec = {
  attributes: {
    level: { type: t.string, default: 'info' },
    format: { type: t.string, default: 'logfmt' }
  }
}

export function extractLogging(file: File, env: (name: string) => string | undefined): ExtractedLogging {
  const diagnostics: Diagnostic[] = []
  const warnings: Diagnostic[] = []
  const rest: Statement[] = []
  let logging: LoggingSettings = {}
  let seen = false
  for (const stmt of file.body) {
    if (stmt.kind !== 'block' || stmt.name.length !== 1 || stmt.name[0] !== 'logging') {
      rest.push(stmt)
      continue
    }
    if (stmt.label !== undefined) {
      diagnostics.push({ span: stmt.labelSpan ?? stmt.nameSpan, message: 'the logging block does not take a label' })
      continue
    }
    if (seen) {
      diagnostics.push({ span: stmt.nameSpan, message: 'the logging block may appear only once' })
      continue
    }
    seen = true
    // Only the standard library is in scope: the block is read before any component exists.
    const writeTo = stmt.body.find((s) => s.kind === 'attribute' && s.name === 'write_to')
    if (writeTo !== undefined) warnings.push({ span: writeTo.span, message: 'logging write_to is ignored: logs are written to stderr' })
    const body = stmt.body.filter((s) => s !== writeTo)
    const result = decodeBlockBody(body, LOGGING_SCHEMA, stmt.nameSpan, (expr) => evaluate(expr, { lookup: () => undefined, env }))
    diagnostics.push(...result.diagnostics)
    warnings.push(...result.warnings)
    if (result.diagnostics.length > 0) continue
    const level = String(result.values['level'])
    const format = String(result.values['format'])
    const at = (name: string): Diagnostic['span'] => stmt.body.find((s) => s.kind === 'attribute' && s.name === name)?.span ?? stmt.nameSpan
    if (!(LEVELS as readonly string[]).includes(level)) diagnostics.push({ span: at('level'), message: `logging level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}` })
    if (!(FORMATS as readonly string[]).includes(format)) diagnostics.push({ span: at('format'), message: `logging format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}` })
    logging = { level: level as LogLevel, format: format as LogFormat }
  }
  return { file: { ...file, body: rest }, logging, diagnostics, warnings }
}
