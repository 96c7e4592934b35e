/**
 * A component's arguments and exports shown as Alloy text, as Alloy's component page shows them: every
 * attribute by its config name (defaults included), durations as "15s", blocks as blocks. The text is
 * built as a syntax tree and printed by the config printer, so it reads like the config it came from.
 *
 * Secret-safe: `secret` values print as `(secret)`; on top of that, URLs lose their passwords and
 * secret-looking query parameters, `__address__` its credentials, and header and `params` entries whose
 * names look like credentials are hidden (they end up in requests). Receivers (capsules) print as the
 * export that holds them (`pyroscope.write.local.receiver`) when one does.
 */
import { isSecretParamName, redactAddress, redactUrl } from '../http/index.js'
import type { BlockSpec, TypeSpec } from '../runtime/index.js'
import type { Expr, File, Statement } from '../syntax/index.js'
import type { Span } from '../syntax/index.js'
import { format, isValidIdentifier } from '../syntax/index.js'
import { Capsule, Secret } from '../syntax/index.js'
import { formatDuration } from '../util/duration.js'
import { formatSource } from './fmt.js'

/** The name a capsule is known by (an export path), or undefined to print it by type. */
export type CapsuleNamer = (capsule: Capsule) => string | undefined

const NOWHERE: Span = { file: '', start: { offset: 0, line: 0, column: 0 }, end: { offset: 0, line: 0, column: 0 } }
const SECRET_HEADER = /auth|token|key|secret|cookie|password|credential|signature/i
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i
const ANY: TypeSpec = { kind: 'any' }

/** Decoded block values (by config name) as the body of an Alloy block, one statement a line. */
export function argumentsAsAlloy(values: Readonly<Record<string, unknown>>, spec: BlockSpec, namer: CapsuleNamer): string {
  return print(blockBody(values, spec, namer))
}

/** Exports as `name = value` lines. */
export function exportsAsAlloy(exports: Readonly<Record<string, unknown>>, namer: CapsuleNamer): string {
  return print(Object.entries(exports).map(([name, value]) => attribute(name, toExpr(value, ANY, namer, name))))
}

/** Printed, then laid out as `fmt` does (aligned `=`); the printed text stands if it cannot be. */
function print(body: Statement[]): string {
  const text = format({ kind: 'file', name: '', body, span: NOWHERE } satisfies File)
  try {
    return formatSource(text, 'arguments')
  } catch {
    return text
  }
}

function blockBody(values: Readonly<Record<string, unknown>>, spec: BlockSpec, namer: CapsuleNamer): Statement[] {
  const out: Statement[] = []
  for (const [name, attr] of Object.entries(spec.attributes)) {
    if (values[name] === undefined) continue
    out.push(attribute(name, toExpr(values[name], attr.type, namer, name)))
  }
  for (const [name, nested] of Object.entries(spec.blocks ?? {})) {
    const value = values[name]
    if (value === undefined || value === null) continue
    const items = (Array.isArray(value) ? value : [value]) as Record<string, unknown>[]
    for (const item of items) {
      const { label, ...rest } = item
      const body = blockBody(nested.labelled ? rest : item, nested.body, namer)
      out.push({ kind: 'block', name: name.split('.'), nameSpan: NOWHERE, ...(nested.labelled && typeof label === 'string' ? { label } : {}), body, span: NOWHERE })
    }
  }
  return out
}

function attribute(name: string, value: Expr): Statement {
  return { kind: 'attribute', name, nameSpan: NOWHERE, value, span: NOWHERE }
}

/** Printed as written: `(secret)` and export paths are not literals of the language, and need not be. */
function verbatim(text: string): Expr {
  return { kind: 'identifier', name: text, span: NOWHERE }
}

function literal(value: string | number | boolean | null): Expr {
  return { kind: 'literal', value, raw: '', span: NOWHERE }
}

/** `key` is the attribute or field the value sits under: it decides what is hidden. */
function toExpr(value: unknown, type: TypeSpec, namer: CapsuleNamer, key: string): Expr {
  if (value instanceof Secret) return verbatim('(secret)')
  if (value instanceof Capsule) return verbatim(namer(value) ?? `capsule(${JSON.stringify(value.typeName)})`)
  if (type.kind === 'duration' && typeof value === 'number') return literal(formatDuration(value))
  if (typeof value === 'string') return literal(displayString(value, key))
  if (typeof value === 'number') return Number.isFinite(value) ? literal(value) : literal(String(value))
  if (typeof value === 'boolean' || value === null || value === undefined) return literal(value ?? null)
  const of = type.kind === 'list' || type.kind === 'map' ? type.of : ANY
  if (Array.isArray(value)) return { kind: 'array', elements: value.map((v: unknown) => toExpr(v, of, namer, key)), span: NOWHERE }
  if (typeof value !== 'object') return literal(String(value))
  const hide = hiddenEntry(key)
  const fields = Object.entries(value as Record<string, unknown>).map(([name, v]) => ({
    key: name,
    quoted: !isValidIdentifier(name),
    keySpan: NOWHERE,
    value: hide(name) ? verbatim('(secret)') : toExpr(v, of, namer, name)
  }))
  return { kind: 'object', fields, span: NOWHERE }
}

function displayString(value: string, key: string): string {
  if (key === '__address__') return redactAddress(value)
  return URL_LIKE.test(value) ? redactUrl(value) : value
}

/** Which entries of an object held under `key` are hidden: credential-like header names, secret-like params. */
function hiddenEntry(key: string): (name: string) => boolean {
  if (key === 'params') return isSecretParamName
  if (/header/i.test(key)) return (name) => SECRET_HEADER.test(name)
  return () => false
}
