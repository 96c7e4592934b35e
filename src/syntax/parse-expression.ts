/**
 * Expression grammar (Alloy `parser/internal.go`):
 *
 *   Expr    = BinOp(1)            precedence: || (1) < && (2) < == != < <= > >= (3) < + - (4) < * / % (5)
 *   PowExpr = Unary [ "^" PowExpr ]   ^ is right-associative and binds tighter than * / %
 *   Unary   = ("!" | "-") Unary | Primary { "." ident | "[" Expr "]" | "(" [ExprList] ")" }
 *   Primary = ident | literal | "(" Expr ")" | "[" [ExprList] "]" | "{" [FieldList] "}"
 *
 * Lists and field lists allow a trailing comma; a newline after an element without a comma is a
 * TERMINATOR token, hence the "missing ','" errors.
 */
import { BINARY_PRECEDENCE } from './ast.js'
import type { BinaryOp, Expr, LiteralExpr, ObjectField } from './ast.js'
import { joinSpans } from './diagnostics.js'
import type { Span } from './diagnostics.js'
import type { Token, TokenKind } from './lexer.js'
import type { ParserCursor } from './parser-cursor.js'

/** Parses a block body up to (not including) `}`; used to explain a block written where a value goes. */
export type BodyParser = (p: ParserCursor) => void

const LIST_ENDERS: readonly TokenKind[] = ['TERMINATOR', ')', '}', ']', ',']

export function parseExpression(p: ParserCursor, parseBody: BodyParser): Expr {
  return parseBinary(p, 1, parseBody)
}

function parseBinary(p: ParserCursor, minPrecedence: number, parseBody: BodyParser): Expr {
  let left = parsePow(p, parseBody)
  for (;;) {
    const kind = p.kind()
    // `^` is parsed by parsePow (right-associative), below the left-associative levels.
    const prec = kind !== '^' && Object.hasOwn(BINARY_PRECEDENCE, kind) ? BINARY_PRECEDENCE[kind as BinaryOp] : undefined
    if (prec === undefined || prec < minPrecedence) return left
    const op = p.next().kind as BinaryOp
    // prec + 1: operators of the same level are collected by this loop, making them left-associative.
    const right = parseBinary(p, prec + 1, parseBody)
    left = { kind: 'binary', op, left, right, span: joinSpans(left.span, right.span) }
  }
}

function parsePow(p: ParserCursor, parseBody: BodyParser): Expr {
  const left = parseUnary(p, parseBody)
  if (p.kind() !== '^') return left
  p.next()
  const right = parsePow(p, parseBody)
  return { kind: 'binary', op: '^', left, right, span: joinSpans(left.span, right.span) }
}

function parseUnary(p: ParserCursor, parseBody: BodyParser): Expr {
  if (p.kind() === '!' || p.kind() === '-') {
    const opToken = p.next()
    const operand = parseUnary(p, parseBody)
    return { kind: 'unary', op: opToken.kind as '!' | '-', operand, span: joinSpans(opToken.span, operand.span) }
  }
  return parsePostfix(p, parsePrimary(p, parseBody), parseBody)
}

function parsePostfix(p: ParserCursor, primary: Expr, parseBody: BodyParser): Expr {
  let expr = primary
  for (;;) {
    switch (p.kind()) {
      case '.': {
        p.next()
        const name = p.expect('IDENT')
        expr = { kind: 'access', object: expr, name: name.kind === 'IDENT' ? name.text : '', nameSpan: name.span, span: joinSpans(expr.span, name.span) }
        break
      }
      case '[': {
        p.next()
        const index = parseExpression(p, parseBody)
        const close = p.expect(']')
        expr = { kind: 'index', object: expr, index, span: joinSpans(expr.span, close.span) }
        break
      }
      case '(': {
        p.next()
        const args = p.kind() === ')' ? [] : parseExpressionList(p, ')', parseBody)
        const close = p.expect(')')
        expr = { kind: 'call', callee: expr, args, span: joinSpans(expr.span, close.span) }
        break
      }
      case 'STRING':
      case '{':
        explainBlockAsExpression(p, expr, parseBody)
        return expr
      default:
        return expr
    }
  }
}

/** `a = foo "x" { … }`: parse the would-be block so the error names the real problem. */
function explainBlockAsExpression(p: ParserCursor, expr: Expr, parseBody: BodyParser): void {
  if (p.kind() === 'STRING') p.next()
  if (p.kind() !== '{') {
    p.error(`expected {, got ${p.kind()}`)
    p.skipStatement()
    return
  }
  p.next()
  parseBody(p)
  if (p.kind() !== '}') {
    p.error(`expected }, got ${p.kind()}`)
    p.skipStatement()
    return
  }
  const close = p.next()
  p.errorAlways('cannot use a block as an expression', joinSpans(expr.span, close.span))
}

function literalValue(t: Token): LiteralExpr['value'] {
  switch (t.kind) {
    case 'STRING':
      return t.value ?? ''
    case 'NUMBER':
      // Go's ParseInt(lit, 0, 64): a leading 0 means octal (`010` is 8); `08` falls back to a float, 8.
      return /^0[0-7]+$/.test(t.text) ? parseInt(t.text.slice(1), 8) : Number(t.text)
    case 'FLOAT':
      return Number(t.text)
    case 'BOOL':
      return t.text === 'true'
    default:
      return null
  }
}

function parsePrimary(p: ParserCursor, parseBody: BodyParser): Expr {
  const t = p.tok
  switch (t.kind) {
    case 'IDENT':
      p.next()
      return { kind: 'identifier', name: t.text, span: t.span }
    case 'STRING':
    case 'NUMBER':
    case 'FLOAT':
    case 'BOOL':
    case 'NULL':
      p.next()
      return { kind: 'literal', value: literalValue(t), raw: t.text, span: t.span }
    case '(': {
      p.next()
      const inner = parseExpression(p, parseBody)
      const close = p.expect(')')
      return { kind: 'paren', inner, span: joinSpans(t.span, close.span) }
    }
    case '[': {
      p.next()
      const elements = p.kind() === ']' ? [] : parseExpressionList(p, ']', parseBody)
      const close = p.expect(']')
      return { kind: 'array', elements, span: joinSpans(t.span, close.span) }
    }
    case '{': {
      p.next()
      const fields = p.kind() === '}' ? [] : parseFieldList(p, parseBody)
      const close = p.expect('}')
      return { kind: 'object', fields, span: joinSpans(t.span, close.span) }
    }
  }
  p.error(`expected expression, got ${t.kind}`)
  p.advanceTo(...LIST_ENDERS)
  return { kind: 'literal', value: null, raw: 'null', span: t.span }
}

function parseExpressionList(p: ParserCursor, until: TokenKind, parseBody: BodyParser): Expr[] {
  const out: Expr[] = []
  while (p.kind() !== until && p.kind() !== 'EOF') {
    out.push(parseExpression(p, parseBody))
    if (p.kind() === until) break
    if (p.kind() !== ',') p.error("missing ',' in expression list")
    p.next()
  }
  return out
}

function parseFieldList(p: ParserCursor, parseBody: BodyParser): ObjectField[] {
  const out: ObjectField[] = []
  while (p.kind() !== '}' && p.kind() !== 'EOF') {
    out.push(parseField(p, parseBody))
    if (p.kind() === '}') break
    if (p.kind() !== ',') p.error("missing ',' in field list")
    p.next()
  }
  return out
}

function parseField(p: ParserCursor, parseBody: BodyParser): ObjectField {
  const t = p.tok
  let key = ''
  let quoted = false
  let keySpan: Span = t.span
  if (t.kind === 'IDENT' || t.kind === 'STRING') {
    quoted = t.kind === 'STRING'
    key = quoted ? (t.value ?? '') : t.text
    keySpan = t.span
    p.next()
  } else {
    p.error(`expected field name (string or identifier), got ${t.kind}`)
    p.advanceTo('=', ':', '}')
  }
  // Alloy writes `key = value`; `key: value` (JSON style) is accepted too.
  if (p.kind() === '=' || p.kind() === ':') p.next()
  else p.expect('=')
  const value = parseExpression(p, parseBody)
  return { key, quoted, keySpan, value }
}
