/**
 * Unary and binary operators on values (Alloy `transform/binary.go`, `unary.go`).
 *
 * - `==`/`!=` compare any two values (deep, `valuesEqual`).
 * - Every other operator first checks each operand's type is allowed for it, then that both operands
 *   have the same type: `"a" + 1` is an error at the right operand ("expected string, got number").
 * - Integer division and modulo truncate when both operands are integers; dividing by zero is an error.
 *
 * Our numbers are JS doubles, so "integer" means `Number.isInteger`; Alloy tracks int/float kinds, which
 * the evaluator approximates for `/` from how the operands were written (`3.0 / 2` is 1.5).
 */
import type { BinaryOp, UnaryOp } from './ast.js'
import { DiagnosticError } from './diagnostics.js'
import type { Span } from './diagnostics.js'
import { Secret, typeOf, valuesEqual } from './value.js'
import type { TypeName, Value } from './value.js'

export interface Operand {
  readonly value: Value
  readonly span: Span
}

const ALLOWED: Readonly<Record<Exclude<BinaryOp, '==' | '!='>, readonly TypeName[]>> = {
  '||': ['bool'],
  '&&': ['bool'],
  '<': ['number', 'string'],
  '<=': ['number', 'string'],
  '>': ['number', 'string'],
  '>=': ['number', 'string'],
  '+': ['number', 'string', 'secret'],
  '-': ['number'],
  '*': ['number'],
  '/': ['number'],
  '%': ['number'],
  '^': ['number']
}

/** "number", "number or string", "number, string or secret". */
function typeList(types: readonly TypeName[]): string {
  if (types.length === 1) return types[0] ?? ''
  return `${types.slice(0, -1).join(', ')} or ${types[types.length - 1] ?? ''}`
}

export function unaryOp(op: UnaryOp, value: Value, span: Span): Value {
  if (op === '!') {
    if (typeof value !== 'boolean') throw DiagnosticError.at(span, `expected bool, got ${typeOf(value)}`)
    return !value
  }
  if (typeof value !== 'number') throw DiagnosticError.at(span, `expected number, got ${typeOf(value)}`)
  return -value
}

/** `float`: divide as floats (an operand is a float in Alloy's sense, see evaluate.ts). */
export function binaryOp(op: BinaryOp, left: Operand, right: Operand, float = false): Value {
  if (op === '==') return valuesEqual(left.value, right.value)
  if (op === '!=') return !valuesEqual(left.value, right.value)
  const allowed = ALLOWED[op]
  for (const side of [left, right]) {
    const t = typeOf(side.value)
    if (!allowed.includes(t)) throw DiagnosticError.at(side.span, `expected ${typeList(allowed)} for operator ${op}, got ${t}`)
  }
  const lt = typeOf(left.value)
  const rt = typeOf(right.value)
  if (lt !== rt) throw DiagnosticError.at(right.span, `expected ${lt}, got ${rt}`)
  switch (lt) {
    case 'bool':
      return op === '&&' ? (left.value as boolean) && (right.value as boolean) : (left.value as boolean) || (right.value as boolean)
    case 'string':
      return stringOp(op, left.value as string, right.value as string)
    case 'secret':
      // Only + is allowed on secrets; the result stays secret.
      return new Secret((left.value as Secret).reveal() + (right.value as Secret).reveal())
    default:
      return numberOp(op, left.value as number, right.value as number, right.span, float)
  }
}

function stringOp(op: BinaryOp, a: string, b: string): Value {
  switch (op) {
    case '+':
      return a + b
    default:
      return compare(op, a, b)
  }
}

function numberOp(op: BinaryOp, a: number, b: number, rightSpan: Span, float: boolean): Value {
  switch (op) {
    case '+':
      return a + b
    case '-':
      return a - b
    case '*':
      return a * b
    case '/':
      if (b === 0) throw DiagnosticError.at(rightSpan, 'divide by zero error')
      return !float && Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b
    case '%':
      if (b === 0) throw DiagnosticError.at(rightSpan, 'divide by zero error')
      // JS % truncates like Go's integer % and math.Mod.
      return a % b
    case '^':
      return a ** b
    default:
      return compare(op, a, b)
  }
}

/** `<`, `<=`, `>`, `>=` (the callers have ruled out every other operator) on two numbers or two strings. */
function compare<T extends number | string>(op: BinaryOp, a: T, b: T): boolean {
  switch (op) {
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    default:
      return a >= b
  }
}
