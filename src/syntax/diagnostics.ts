/**
 * Positions and diagnostics for the Alloy config language.
 *
 * Every user-facing config error is a Diagnostic: a span in a file plus a message. The CLI prints them as
 * `FILE:LINE:COL: message` (1-based line and column, columns counted in UTF-16 code units of the line,
 * like most editors) and exits 1 before anything starts.
 */
import { TextSpan } from './line-index.js'
import type { Span } from './span.js'

export type { Position, Span } from './span.js'

export interface Diagnostic {
  readonly span: Span
  readonly message: string
}

/** Thrown (or collected) when config text cannot be lexed, parsed, evaluated or decoded. */
export class DiagnosticError extends Error {
  override readonly name = 'DiagnosticError'
  readonly diagnostics: readonly Diagnostic[]

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'))
    this.diagnostics = diagnostics
  }

  static at(span: Span, message: string): DiagnosticError {
    return new DiagnosticError([{ span, message }])
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.span.file}:${d.span.start.line}:${d.span.start.column}: ${d.message}`
}

/** A span covering from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return (a instanceof TextSpan ? a.to(b) : undefined) ?? { file: a.file, start: a.start, end: b.end }
}
