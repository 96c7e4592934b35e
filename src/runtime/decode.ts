/**
 * Decodes a block body (attributes and nested blocks) against its schema into plain data.
 *
 * Expressions are evaluated through the injected `evaluate`; every error is a diagnostic positioned at the
 * most precise expression available: for literal lists and objects the converter walks the AST alongside
 * the value, so a wrong type deep inside `targets` points at that element, not at the whole attribute.
 */
import type { Block, Expr, Statement } from '../syntax/index.js'
import { DiagnosticError } from '../syntax/index.js'
import type { Diagnostic, Span } from '../syntax/index.js'
import { Capsule, Secret, nullPrototypeObject, typeOf } from '../syntax/index.js'
import type { Value, ValueObject } from '../syntax/index.js'
import { parseDuration } from '../util/duration.js'
import { didYouMean } from '../util/suggest.js'
import { numberToString, stringToNumber } from '../syntax/index.js'
import { typeName } from './schema.js'
import type { BlockSpec, DecodedBlock, TypeSpec } from './schema.js'

export type Evaluate = (expr: Expr) => Value

export interface DecodeResult {
  readonly values: Record<string, unknown>
  readonly diagnostics: Diagnostic[]
  readonly warnings: Diagnostic[]
}

export function decodeBlockBody(
  body: readonly Statement[],
  spec: BlockSpec,
  blockSpan: Span,
  evaluate: Evaluate
): DecodeResult {
  const diagnostics: Diagnostic[] = []
  const warnings: Diagnostic[] = []
  const values: Record<string, unknown> = {}
  const spans = new Map<string, Span>()
  const blocks = spec.blocks ?? {}
  const seenBlocks = new Map<string, Block[]>()

  for (const stmt of body) {
    if (stmt.kind === 'attribute') {
      const attr = spec.attributes[stmt.name]
      if (!Object.hasOwn(spec.attributes, stmt.name) || attr === undefined) {
        const isBlock = Object.hasOwn(blocks, stmt.name)
        diagnostics.push({
          span: stmt.nameSpan,
          message: isBlock
            ? `"${stmt.name}" must be written as a block, not an attribute`
            : `unrecognized attribute name "${stmt.name}"${didYouMean(stmt.name, Object.keys(spec.attributes))}`
        })
        continue
      }
      const previous = spans.get(stmt.name)
      if (previous) {
        diagnostics.push({
          span: stmt.nameSpan,
          message: `attribute "${stmt.name}" may only be provided once (first at line ${previous.start.line})`
        })
        continue
      }
      spans.set(stmt.name, stmt.nameSpan)
      try {
        const value = evaluate(stmt.value)
        values[stmt.name] = attr.decode
          ? attr.decode(value, {
              span: stmt.value.span,
              expr: stmt.value,
              warn: (message) => warnings.push({ span: stmt.value.span, message })
            })
          : convertValue(value, attr.type, stmt.value, stmt.name)
      } catch (err) {
        if (err instanceof DiagnosticError) diagnostics.push(...err.diagnostics)
        else throw err
      }
      continue
    }
    const name = stmt.name.join('.')
    const nested = blocks[name]
    if (!Object.hasOwn(blocks, name) || nested === undefined) {
      const isAttr = Object.hasOwn(spec.attributes, name)
      diagnostics.push({
        span: stmt.nameSpan,
        message: isAttr ? `"${name}" must be written as an attribute, not a block` : `unrecognized block name "${name}"${didYouMean(name, Object.keys(blocks))}`
      })
      continue
    }
    if (nested.labelled && stmt.label === undefined) {
      diagnostics.push({ span: stmt.nameSpan, message: `block "${name}" requires a label` })
      continue
    }
    if (!nested.labelled && stmt.label !== undefined) {
      diagnostics.push({ span: stmt.labelSpan ?? stmt.nameSpan, message: `block "${name}" does not take a label` })
      continue
    }
    const list = seenBlocks.get(name) ?? []
    if (list.length > 0 && !nested.multiple && !nested.labelled) {
      diagnostics.push({
        span: stmt.nameSpan,
        message: `block "${name}" may only be provided once (first at line ${list[0]?.nameSpan.start.line ?? 0})`
      })
      continue
    }
    if (nested.labelled) {
      const dup = list.find((b) => b.label === stmt.label)
      if (dup) {
        diagnostics.push({
          span: stmt.labelSpan ?? stmt.nameSpan,
          message: `block "${name} "${stmt.label ?? ''}"" is defined more than once (first at line ${dup.nameSpan.start.line})`
        })
        continue
      }
    }
    list.push(stmt)
    seenBlocks.set(name, list)
  }

  for (const [name, attr] of Object.entries(spec.attributes)) {
    if (spans.has(name)) continue
    if (attr.required) diagnostics.push({ span: blockSpan, message: `missing required attribute "${name}"` })
    else if (attr.default !== undefined) values[name] = attr.default
  }

  for (const [name, nested] of Object.entries(blocks)) {
    const found = seenBlocks.get(name) ?? []
    if (found.length === 0 && nested.required) {
      diagnostics.push({ span: blockSpan, message: `missing required block "${name}"` })
    }
    if (nested.unsupported !== undefined) {
      for (const b of found) diagnostics.push({ span: b.nameSpan, message: nested.unsupported })
      continue
    }
    if (nested.inert !== undefined) {
      for (const b of found) warnings.push({ span: b.nameSpan, message: `block "${name}" ${nested.inert}` })
      continue
    }
    const decoded = found.map((b) => {
      const r = decodeBlockBody(b.body, nested.body, b.nameSpan, evaluate)
      diagnostics.push(...r.diagnostics)
      warnings.push(...r.warnings)
      return nested.labelled ? { label: b.label, ...r.values } : r.values
    })
    if (found[0]) spans.set(name, found[0].nameSpan)
    values[name] = nested.multiple || nested.labelled ? decoded : decoded[0]
  }

  if (diagnostics.length === 0 && spec.validate) {
    const decodedBlock: DecodedBlock = { values, spans, blockSpan }
    diagnostics.push(...spec.validate(decodedBlock))
  }
  return { values, diagnostics, warnings }
}

/**
 * Converts an evaluated value to the schema type. `expr` is the expression that produced it (when it is a
 * literal list/object, its elements give precise spans); `path` names the position for messages.
 */
export function convertValue(value: Value, spec: TypeSpec, expr: Expr, path: string): unknown {
  try {
    return convert(value, spec, expr)
  } catch (err) {
    if (err instanceof ConvertFailure) throw DiagnosticError.at(err.at.span, `${path}${err.where}: ${err.message}`)
    throw err
  }
}

/**
 * A value that does not convert. `where` is its position below the converted value (`[3]["name"]`),
 * prefixed level by level as the failure unwinds: a 10,000-element list has 30,000 positions, and
 * none is worth a string unless it failed.
 */
class ConvertFailure {
  where = ''
  constructor(
    readonly at: Expr,
    readonly message: string
  ) {}
}

function convert(value: Value, spec: TypeSpec, expr: Expr): unknown {
  const fail = (at: Expr, message: string): never => {
    throw new ConvertFailure(at, message)
  }
  const mismatch = (): never => fail(expr, `expected ${typeName(spec)}, got ${typeOf(value)}`)
  switch (spec.kind) {
    case 'any':
      return value
    case 'string':
      if (typeof value === 'string') return value
      // Alloy converts a number where a string is wanted (docs/alloy-compatibility.md).
      return typeof value === 'number' ? numberToString(value) : mismatch()
    case 'number': {
      if (typeof value === 'number') return value
      const parsed = typeof value === 'string' ? stringToNumber(value) : undefined
      return parsed ?? mismatch()
    }
    case 'bool':
      return typeof value === 'boolean' ? value : mismatch()
    case 'secret':
      if (value instanceof Secret) return value
      return typeof value === 'string' ? new Secret(value) : mismatch()
    case 'duration': {
      if (typeof value !== 'string') return mismatch()
      const d = parseDuration(value)
      return d.ok ? d.ms : fail(expr, d.error)
    }
    case 'capsule':
      return value instanceof Capsule && value.typeName === spec.typeName ? value : mismatch()
    case 'list': {
      if (!Array.isArray(value)) return mismatch()
      const items = value as readonly Value[]
      const exprs = literalElements(expr, items.length)
      const out = new Array<unknown>(items.length)
      for (let i = 0; i < items.length; i++) {
        try {
          out[i] = convert(items[i] as Value, spec.of, exprs?.[i] ?? expr)
        } catch (err) {
          throw within(err, `[${i}]`)
        }
      }
      return Object.freeze(out)
    }
    case 'map': {
      if (typeOf(value) !== 'object') return mismatch()
      const obj = value as ValueObject
      const out = nullPrototypeObject<unknown>()
      for (const k in obj) {
        try {
          out[k] = convert(obj[k] as Value, spec.of, literalField(expr, k) ?? expr)
        } catch (err) {
          throw within(err, `[${JSON.stringify(k)}]`)
        }
      }
      return Object.freeze(out)
    }
  }
}

/** `err`, when it is a conversion failure, placed one level deeper (at `step`). */
function within(err: unknown, step: string): unknown {
  if (err instanceof ConvertFailure) err.where = step + err.where
  return err
}

function literalElements(expr: Expr, length: number): readonly Expr[] | undefined {
  const e = unwrap(expr)
  return e.kind === 'array' && e.elements.length === length ? e.elements : undefined
}

function literalField(expr: Expr, key: string): Expr | undefined {
  const e = unwrap(expr)
  if (e.kind !== 'object') return undefined
  for (let i = e.fields.length - 1; i >= 0; i--) if (e.fields[i]?.key === key) return e.fields[i]?.value
  return undefined
}

function unwrap(expr: Expr): Expr {
  return expr.kind === 'paren' ? unwrap(expr.inner) : expr
}

