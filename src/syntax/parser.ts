/**
 * Alloy config text → AST (`ast.ts`).
 *
 *   File      = Body
 *   Body      = [ Statement { TERMINATOR Statement } ]
 *   Statement = ident "=" Expr                          (attribute)
 *             | ident { "." ident } [ string ] "{" Body "}"   (block; the label must be an identifier)
 *
 * The parser keeps going after an error (skipping to the next statement) so that one run reports as
 * many problems as it reasonably can; `parse` then throws them all, in source order, as one
 * DiagnosticError. Messages and recovery follow Alloy's parser so errors read the same.
 */
import type { Block, Expr, File, Statement } from './ast.js'
import { DiagnosticError, joinSpans } from './diagnostics.js'
import type { Diagnostic, Span } from './diagnostics.js'
import { isValidIdentifier, tokenize } from './lexer.js'
import type { TokenKind } from './lexer.js'
import { parseExpression } from './parse-expression.js'
import { ParserCursor } from './parser-cursor.js'

interface BlockName {
  readonly fragments: string[]
  readonly span: Span
  readonly label?: string
  readonly labelSpan?: Span
}

/** Parses a whole file. Throws a DiagnosticError with every lexical and syntax error found. */
export function parse(text: string, fileName: string): File {
  const { file, diagnostics } = parseCollecting(text, fileName)
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics)
  return file
}

/** Parses a whole file, returning the (possibly partial) tree and the errors instead of throwing. */
export function parseCollecting(text: string, fileName: string): { file: File; diagnostics: Diagnostic[] } {
  const lexed = tokenize(text, fileName)
  const p = new ParserCursor(lexed.tokens, lexed.diagnostics)
  const body = parseBody(p, 'EOF')
  const start = lexed.tokens[0]?.span ?? p.tok.span
  const file: File = { kind: 'file', name: fileName, body, span: joinSpans(start, p.tok.span) }
  return { file, diagnostics: sortDiagnostics([...lexed.diagnostics, ...p.diagnostics]) }
}

/** Parses a single expression (e.g. a value given on the command line). */
export function parseExpr(text: string, fileName: string): Expr {
  const lexed = tokenize(text, fileName)
  const p = new ParserCursor(lexed.tokens, lexed.diagnostics)
  const expr = parseExpression(p, skipBody)
  if (p.kind() === 'TERMINATOR') p.next()
  if (p.kind() !== 'EOF') p.error(`expected end of expression, got ${p.kind()}`)
  const diagnostics = sortDiagnostics([...lexed.diagnostics, ...p.diagnostics])
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics)
  return expr
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.span.start.offset - b.span.start.offset)
}

function skipBody(p: ParserCursor): void {
  parseBody(p, '}')
}

function parseBody(p: ParserCursor, until: TokenKind): Statement[] {
  const body: Statement[] = []
  while (p.kind() !== until && p.kind() !== 'EOF') {
    const stmt = parseStatement(p, until)
    if (stmt) body.push(stmt)
    if (p.kind() === until) break
    if (p.kind() !== 'TERMINATOR') {
      p.error(`expected TERMINATOR, got ${p.kind()}`)
      p.skipStatement()
      if (p.kind() !== 'TERMINATOR') continue
    }
    p.next()
  }
  return body
}

function parseStatement(p: ParserCursor, until: TokenKind): Statement | undefined {
  const name = parseBlockName(p)
  if (!name) return skipBadStatement(p, until)
  if (p.kind() === '=') {
    p.next()
    checkAttributeName(p, name)
    const value = parseExpression(p, skipBody)
    return { kind: 'attribute', name: name.fragments[0] ?? '', nameSpan: name.span, value, span: joinSpans(name.span, value.span) }
  }
  if (p.kind() === '{') return parseBlock(p, name)
  const canBeAttribute = name.fragments.length === 1 && name.label === undefined
  p.error(canBeAttribute ? `expected attribute assignment or block body, got ${p.kind()}` : `expected block body, got ${p.kind()}`)
  return skipBadStatement(p, until)
}

/** Skips to the end of a statement that cannot be parsed; a stray closing brace is consumed so parsing progresses. */
function skipBadStatement(p: ParserCursor, until: TokenKind): undefined {
  if (p.kind() !== until && (p.kind() === '}' || p.kind() === ')' || p.kind() === ']')) p.next()
  p.skipStatement()
  return undefined
}

function checkAttributeName(p: ParserCursor, name: BlockName): void {
  if (name.fragments.length !== 1) {
    p.errorAlways('attribute names may only consist of a single identifier with no "."', name.span)
  } else if (name.labelSpan) {
    p.errorAlways('attribute names may not have labels', name.labelSpan)
  }
}

function parseBlock(p: ParserCursor, name: BlockName): Block {
  const entered = p.enter()
  let body: Statement[] = []
  try {
    p.next() // {
    if (entered) body = parseBody(p, '}')
  } finally {
    if (entered) p.leave()
  }
  const close = p.expect('}')
  const labelled = name.label !== undefined && name.labelSpan !== undefined ? { label: name.label, labelSpan: name.labelSpan } : {}
  return { kind: 'block', name: name.fragments, nameSpan: name.span, ...labelled, body, span: joinSpans(name.span, close.span) }
}

/** BlockName = ident { "." ident } [ string ] */
function parseBlockName(p: ParserCursor): BlockName | undefined {
  if (p.kind() !== 'IDENT') {
    p.error(`expected identifier, got ${p.kind()}`)
    return undefined
  }
  const first = p.next()
  const fragments = [first.text]
  let last = first.span
  while (p.kind() === '.') {
    p.next()
    const part = p.expect('IDENT')
    fragments.push(part.text)
    last = part.span
  }
  const span = joinSpans(first.span, last)
  if (p.kind() === '=' || p.kind() === '{') return { fragments, span }
  if (p.kind() !== 'STRING') {
    // A single name may be an attribute or a block; parseStatement says so. A dotted one wants a label.
    if (fragments.length > 1) {
      p.error(`expected block label, got ${p.kind()}`)
      p.next()
    }
    return { fragments, span }
  }
  return { fragments, span, ...parseLabel(p, fragments) }
}

function parseLabel(p: ParserCursor, fragments: readonly string[]): { label?: string; labelSpan?: Span } {
  const t = p.tok
  // `url "http://x"`: a string after a plain name that does not open a block is a forgotten `=`.
  if (fragments.length === 1 && p.peekKind(1) !== '{' && p.peekKind(1) !== '=') {
    p.error(`expected =, got STRING`)
    p.next()
    return {}
  }
  p.next()
  const label = t.value ?? ''
  if (t.raw) p.error(`expected block label to be a double quoted string, but got ${JSON.stringify(t.text)}`, t.span)
  else if (!isValidIdentifier(label)) p.error(`expected block label to be a valid identifier, but got ${JSON.stringify(label)}`, t.span)
  return { label, labelSpan: t.span }
}
