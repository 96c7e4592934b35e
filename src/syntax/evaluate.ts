/**
 * Expression evaluation (Alloy `vm`). Identifiers resolve through the scope first (component exports),
 * then the standard library. Every error is a DiagnosticError at the span of the offending
 * sub-expression, and messages describe values with `describeValue`/type names only, so a secret's text
 * never reaches an error.
 *
 * Like Alloy, both operands of a binary operator are evaluated (no short-circuit), so a type error on
 * either side is always reported.
 */
import type { BinaryExpr, CallExpr, Expr, IndexExpr } from './ast.js'
import { DiagnosticError } from './diagnostics.js'
import { binaryOp, unaryOp } from './operators.js'
import { stdlib } from './stdlib.js'
import { AlloyFunction, nullPrototypeObject, typeOf } from './value.js'
import { didYouMean } from '../util/suggest.js'
import type { CallContext, Value, ValueObject } from './value.js'

export interface Scope {
  /** Values visible by name (component exports); `undefined` when the name is unknown. */
  lookup(name: string): Value | undefined
  /** Environment variables, for `sys.env` (injected so tests do not depend on process.env). */
  env(name: string): string | undefined
}

/** Evaluates `expr`; `library` defaults to the standard library (pass one from `createStdlib` to set the version). */
export function evaluate(expr: Expr, scope: Scope, library: ValueObject = stdlib): Value {
  const ev = (e: Expr): Value => evaluate(e, scope, library)
  switch (expr.kind) {
    case 'literal':
      return expr.value
    case 'paren':
      return ev(expr.inner)
    case 'identifier': {
      const found = scope.lookup(expr.name) ?? (Object.hasOwn(library, expr.name) ? library[expr.name] : undefined)
      if (found === undefined) throw DiagnosticError.at(expr.span, `identifier "${expr.name}" does not exist${didYouMean(expr.name, Object.keys(library))}`)
      return found
    }
    case 'access': {
      const target = ev(expr.object)
      if (typeOf(target) !== 'object') {
        throw DiagnosticError.at(expr.object.span, `cannot access field "${expr.name}" on a value of type ${typeOf(target)}`)
      }
      const obj = target as ValueObject
      if (!Object.hasOwn(obj, expr.name)) throw DiagnosticError.at(expr.nameSpan, `field "${expr.name}" does not exist${didYouMean(expr.name, Object.keys(obj))}`)
      return obj[expr.name] as Value
    }
    case 'index':
      return evaluateIndex(expr, ev(expr.object), ev(expr.index))
    case 'call':
      return evaluateCall(expr, ev(expr.callee), expr.args.map(ev), scope)
    case 'array':
      return expr.elements.map(ev)
    case 'object': {
      // A later field of the same name wins, as makeObject does.
      const object = nullPrototypeObject<Value>()
      for (const field of expr.fields) object[field.key] = ev(field.value)
      return object
    }
    case 'unary':
      return unaryOp(expr.op, ev(expr.operand), expr.operand.span)
    case 'binary':
      return evaluateBinary(expr, ev(expr.left), ev(expr.right))
  }
}

function evaluateBinary(expr: BinaryExpr, left: Value, right: Value): Value {
  // Alloy divides as floats when either operand is a float (`3.0 / 2` is 1.5); our numbers are doubles,
  // so a float is a non-integer value or one written as a float literal.
  const float = expr.op === '/' && (isFloat(expr.left, left) || isFloat(expr.right, right))
  return binaryOp(expr.op, { value: left, span: expr.left.span }, { value: right, span: expr.right.span }, float)
}

function isFloat(expr: Expr, value: Value): boolean {
  return typeof value === 'number' && (!Number.isInteger(value) || writtenAsFloat(expr))
}

/** A float literal (`3.0`, `1e3`), or arithmetic on one. Values from references count by their value only. */
function writtenAsFloat(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'number' && /[.eE]/.test(expr.raw)
    case 'paren':
      return writtenAsFloat(expr.inner)
    case 'unary':
      return writtenAsFloat(expr.operand)
    case 'binary':
      return ['+', '-', '*', '/', '%', '^'].includes(expr.op) && (writtenAsFloat(expr.left) || writtenAsFloat(expr.right))
    default:
      return false
  }
}

function evaluateIndex(expr: IndexExpr, target: Value, index: Value): Value {
  const t = typeOf(target)
  if (t === 'array') {
    const list = target as readonly Value[]
    if (typeof index !== 'number') throw DiagnosticError.at(expr.index.span, `expected number, got ${typeOf(index)}`)
    if (!Number.isInteger(index)) throw DiagnosticError.at(expr.index.span, `expected an integer index, got ${index}`)
    if (index < 0 || index >= list.length) {
      throw DiagnosticError.at(expr.index.span, `index ${index} is out of range of array with length ${list.length}`)
    }
    return list[index] as Value
  }
  if (t === 'object') {
    if (typeof index !== 'string') throw DiagnosticError.at(expr.index.span, `expected string, got ${typeOf(index)}`)
    // As in Alloy, a missing key read with [] is null (unlike `.name`, which is an error).
    const obj = target as ValueObject
    return Object.hasOwn(obj, index) ? (obj[index] as Value) : null
  }
  throw DiagnosticError.at(expr.object.span, `expected object or array, got ${t}`)
}

function evaluateCall(expr: CallExpr, callee: Value, args: Value[], scope: Scope): Value {
  if (!(callee instanceof AlloyFunction)) throw DiagnosticError.at(expr.callee.span, `expected function, got ${typeOf(callee)}`)
  const ctx: CallContext = { span: expr.span, argSpans: expr.args.map((a) => a.span), env: (name) => scope.env(name) }
  try {
    return callee.call(args, ctx)
  } catch (err) {
    if (err instanceof DiagnosticError) throw err
    // A function failing without a position: blame the call.
    throw DiagnosticError.at(expr.span, `${callee.name}: ${err instanceof Error ? err.message : String(err)}`)
  }
}
