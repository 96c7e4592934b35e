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
  // Each operator of a chain nests the tree one level deeper on the left: the chain counts as nesting.
  let chain = 0
  try {
    for (;;) {
      const kind = p.kind()
      // `^` is parsed by parsePow (right-associative), below the left-associative levels.
      const prec = kind !== '^' && Object.hasOwn(BINARY_PRECEDENCE, kind) ? BINARY_PRECEDENCE[kind as BinaryOp] : undefined
      if (prec === undefined || prec < minPrecedence) return left
      if (!p.enter()) return left
      chain++
      left = parseBinaryRight(p, left, prec, parseBody)
    }
  } finally {
    p.leave(chain)
  }
}

function parseBinaryRight(p: ParserCursor, left: Expr, prec: number, parseBody: BodyParser): Expr {
  {
    const op = p.next().kind as BinaryOp
    // prec + 1: operators of the same level are collected by this loop, making them left-associative.
    const right = parseBinary(p, prec + 1, parseBody)
    return { kind: 'binary', op, left, right, span: joinSpans(left.span, right.span) }
  }
}

function parsePow(p: ParserCursor, parseBody: BodyParser): Expr {
  const left = parseUnary(p, parseBody)
  if (p.kind() !== '^' || !p.enter()) return left
  try {
    p.next()
    const right = parsePow(p, parseBody)
    return { kind: 'binary', op: '^', left, right, span: joinSpans(left.span, right.span) }
  } finally {
    p.leave()
  }
}

function parseUnary(p: ParserCursor, parseBody: BodyParser): Expr {
  if ((p.kind() === '!' || p.kind() === '-') && p.enter()) {
    try {
      const opToken = p.next()
      const operand = parseUnary(p, parseBody)
      return { kind: 'unary', op: opToken.kind as '!' | '-', operand, span: joinSpans(opToken.span, operand.span) }
    } finally {
      p.leave()
    }
  }
  return parsePostfix(p, parsePrimary(p, parseBody), parseBody)
}

function parsePostfix(p: ParserCursor, primary: Expr, parseBody: BodyParser): Expr {
  let levels = 0
  try {
    return parsePostfixLevels(p, primary, parseBody, () => {
      if (!p.enter()) return false
      levels++
      return true
    })
  } finally {
    p.leave(levels)
  }
}

/** `a.b[c](d)…`: each suffix nests the tree one level deeper, counted through `deeper`. */
function parsePostfixLevels(p: ParserCursor, primary: Expr, parseBody: BodyParser, deeper: () => boolean): Expr {
  let expr = primary
  for (;;) {
    const kind = p.kind()
    if ((kind === '.' || kind === '[' || kind === '(') && !deeper()) return expr
    switch (kind) {
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
  const nests = t.kind === '(' || t.kind === '[' || t.kind === '{'
  if (nests && !p.enter()) return { kind: 'literal', value: null, raw: 'null', span: t.span }
  try {
    return parsePrimaryAt(p, t, parseBody)
  } finally {
    if (nests) p.leave()
  }
}

function parsePrimaryAt(p: ParserCursor, t: Token, parseBody: BodyParser): Expr {
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
    default:
      // Any other token starts no expression: reported below.
      break
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
