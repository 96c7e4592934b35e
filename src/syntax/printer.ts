/**
 * AST → Alloy text. The output parses back to the same tree (spans aside): literals keep their source
 * text when it still decodes to their value, other strings are quoted with Go escapes, and parentheses
 * are added where the tree's shape would otherwise be read differently (the parser itself only produces
 * such shapes through explicit `paren` nodes, which print as written).
 *
 * Layout follows `alloy fmt` loosely: tab indentation, one statement per line, objects one field per line
 * with trailing commas, short lists on one line.
 */
import { BINARY_PRECEDENCE } from './ast.js'
import type { Expr, File, LiteralExpr, ObjectField, Statement } from './ast.js'
import { quoteString } from './escapes.js'
import { isValidIdentifier, tokenize } from './lexer.js'

const INLINE_LIST_LIMIT = 80

export function format(file: File): string {
  return formatBody(file.body, '')
}

function formatBody(body: readonly Statement[], indent: string): string {
  return body.map((s) => `${indent}${formatStatement(s, indent)}\n`).join('')
}

function formatStatement(s: Statement, indent: string): string {
  if (s.kind === 'attribute') return `${s.name} = ${printExpr(s.value, indent)}`
  const label = s.label !== undefined ? ` ${quoteString(s.label)}` : ''
  const head = `${s.name.join('.')}${label}`
  if (s.body.length === 0) return `${head} { }`
  return `${head} {\n${formatBody(s.body, `${indent}\t`)}${indent}}`
}

/** Formats one expression on its own (nested objects indented with tabs). */
export function formatExpr(expr: Expr): string {
  return printExpr(expr, '')
}

/** Binding strength of an expression's outermost operator (postfix and primaries bind tightest). */
function precedence(e: Expr): number {
  if (e.kind === 'binary') return BINARY_PRECEDENCE[e.op]
  if (e.kind === 'unary') return 7
  return 8
}

function printExpr(e: Expr, indent: string): string {
  switch (e.kind) {
    case 'literal':
      return printLiteral(e)
    case 'identifier':
      return e.name
    case 'paren':
      return `(${printExpr(e.inner, indent)})`
    case 'access': {
      const object = printOperand(e.object, 8, indent)
      // `1.a` would scan as the number `1.` followed by `a`; a space keeps the dot an operator.
      return /[0-9.]$/.test(object) ? `${object} .${e.name}` : `${object}.${e.name}`
    }
    case 'index':
      return `${printOperand(e.object, 8, indent)}[${printExpr(e.index, indent)}]`
    case 'call':
      return `${printOperand(e.callee, 8, indent)}(${e.args.map((a) => printExpr(a, indent)).join(', ')})`
    case 'unary':
      return `${e.op}${printOperand(e.operand, 7, indent)}`
    case 'binary': {
      const prec = BINARY_PRECEDENCE[e.op]
      // ^ is right-associative: its left operand needs parentheses at equal precedence; the others are
      // left-associative, so their right operand does.
      const leftMin = e.op === '^' ? prec + 1 : prec
      const rightMin = e.op === '^' ? prec : prec + 1
      return `${printOperand(e.left, leftMin, indent)} ${e.op} ${printOperand(e.right, rightMin, indent)}`
    }
    case 'array':
      return printArray(e.elements, indent)
    case 'object':
      return printObject(e.fields, indent)
  }
}

function printOperand(e: Expr, minPrecedence: number, indent: string): string {
  const text = printExpr(e, indent)
  return precedence(e) < minPrecedence ? `(${text})` : text
}

function printArray(elements: readonly Expr[], indent: string): string {
  if (elements.length === 0) return '[]'
  const inline = `[${elements.map((x) => printExpr(x, indent)).join(', ')}]`
  if (inline.length <= INLINE_LIST_LIMIT && !inline.includes('\n')) return inline
  const inner = `${indent}\t`
  return `[\n${elements.map((x) => `${inner}${printExpr(x, inner)},\n`).join('')}${indent}]`
}

function printObject(fields: readonly ObjectField[], indent: string): string {
  if (fields.length === 0) return '{}'
  const inner = `${indent}\t`
  const lines = fields.map((f) => `${inner}${printKey(f)} = ${printExpr(f.value, inner)},\n`)
  return `{\n${lines.join('')}${indent}}`
}

function printKey(f: ObjectField): string {
  return !f.quoted && isValidIdentifier(f.key) ? f.key : quoteString(f.key)
}

function printLiteral(e: LiteralExpr): string {
  if (rawStillMatches(e)) return e.raw
  if (typeof e.value === 'string') return quoteString(e.value)
  if (typeof e.value === 'number') return printNumber(e.value)
  return String(e.value)
}

function printNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`cannot print non-finite number ${n}`)
  // Negative numbers have no literal form; they are a unary minus applied to a positive literal.
  return n < 0 || Object.is(n, -0) ? `-${String(-n)}` : String(n)
}

/** Whether the literal's source text is a single token that decodes to its value (so printing it is exact). */
function rawStillMatches(e: LiteralExpr): boolean {
  if (e.raw === '') return false
  const { tokens, diagnostics } = tokenize(e.raw, '')
  const t = tokens[0]
  if (diagnostics.length > 0 || t === undefined || (tokens[1]?.kind !== 'EOF' && tokens[1]?.kind !== 'TERMINATOR')) return false
  switch (t.kind) {
    case 'STRING':
      return t.value === e.value
    case 'NUMBER':
    case 'FLOAT':
      return Number(t.text) === e.value
    case 'BOOL':
      return (t.text === 'true') === e.value
    case 'NULL':
      return e.value === null
    default:
      return false
  }
}
