/** Shared helpers for the syntax tests: error capture and span-free tree comparison. */
import assert from 'node:assert/strict'
import { DiagnosticError } from '../../../src/syntax/index.js'
import type { Diagnostic } from '../../../src/syntax/index.js'

/** Runs `fn`, asserts it throws a DiagnosticError, and returns its diagnostics. */
export function diagnosticsOf(fn: () => unknown): readonly Diagnostic[] {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof DiagnosticError, `expected a DiagnosticError, got ${String(err)}`)
    return err.diagnostics
  }
  assert.fail('expected an error')
}

/** The first diagnostic as `line:column: message`. */
export function firstError(fn: () => unknown): string {
  const [d] = diagnosticsOf(fn)
  assert.ok(d)
  return `${d.span.start.line}:${d.span.start.column}: ${d.message}`
}

const POSITIONAL_KEYS = new Set(['span', 'nameSpan', 'labelSpan', 'keySpan', 'raw'])

/** A deep copy without spans and literal source text, for comparing trees built from different text. */
export function stripPositions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripPositions)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) if (!POSITIONAL_KEYS.has(k)) out[k] = stripPositions(v)
  return out
}
