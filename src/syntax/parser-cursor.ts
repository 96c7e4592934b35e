/**
 * The parser's view of the token list: the current token, lookahead, error collection and the recovery
 * moves Alloy's parser uses (skip to a token, skip the rest of a statement).
 *
 * Like Alloy, at most one parse error is kept per line: after the first, the rest of the line is usually
 * a consequence of it. Lines that already have a lexical error get no parse errors either.
 *
 * Nesting is bounded (docs/hostile-input.md, "Config nesting"): every bracket, brace, parenthesis,
 * block, unary operator and binary operand chain counts one level, and past MAX_NESTING_DEPTH the cursor
 * records one positioned error and jumps to the end of the input, so every parsing function unwinds at
 * once. Without the limit, 2,000 nested `[` or a 4,000-term `+` chain overflowed the stack here or in
 * the evaluator.
 */
import type { Diagnostic, Span } from './diagnostics.js'
import type { Token, TokenKind } from './lexer.js'

/** Deeper than any real config; shallow enough for every recursive walk of the tree (evaluate, print). */
export const MAX_NESTING_DEPTH = 200

export class ParserCursor {
  readonly diagnostics: Diagnostic[] = []
  readonly #tokens: readonly Token[]
  readonly #linesWithErrors = new Set<number>()
  #index = 0
  #depth = 0
  /** Set past the nesting limit: the input is treated as ended and no further error is recorded. */
  #halted = false

  constructor(tokens: readonly Token[], lexDiagnostics: readonly Diagnostic[]) {
    if (tokens.length === 0 || tokens[tokens.length - 1]?.kind !== 'EOF') throw new Error('token list must end with EOF')
    this.#tokens = tokens
    for (const d of lexDiagnostics) this.#linesWithErrors.add(d.span.start.line)
  }

  get tok(): Token {
    return this.#tokens[this.#halted ? this.#tokens.length - 1 : this.#index] as Token
  }

  /**
   * Enters `levels` levels of nesting at the current token. Past the limit: records the error, halts the
   * parse (see the module comment) and returns false; the caller then returns what it has.
   * Every call that returns true is matched by `leave(levels)`.
   */
  enter(levels = 1): boolean {
    if (this.#halted) return false
    if (this.#depth + levels > MAX_NESTING_DEPTH) {
      this.errorAlways(`nesting is deeper than ${MAX_NESTING_DEPTH} levels (brackets, braces, parentheses, blocks and operators count one each)`, this.tok.span)
      this.#halted = true
      return false
    }
    this.#depth += levels
    return true
  }

  leave(levels = 1): void {
    this.#depth -= levels
  }

  kind(): TokenKind {
    return this.tok.kind
  }

  /** The kind of the token `n` places ahead of the current one (EOF past the end). */
  peekKind(n: number): TokenKind {
    if (this.#halted) return 'EOF'
    return (this.#tokens[this.#index + n] ?? this.#tokens[this.#tokens.length - 1])?.kind ?? 'EOF'
  }

  /** The most recently consumed token (the current one if nothing was consumed yet). */
  get previous(): Token {
    return this.#tokens[Math.max(0, this.#index - 1)] as Token
  }

  /** Advances and returns the token that was current. */
  next(): Token {
    const t = this.tok
    if (t.kind !== 'EOF' && !this.#halted) this.#index++
    return t
  }

  /** Consumes the current token, recording `expected K, got X` when it is not of kind `k`. */
  expect(k: TokenKind): Token {
    const t = this.tok
    if (t.kind !== k) this.error(`expected ${k}, got ${t.kind}`)
    this.next()
    return t
  }

  /** Records an error at `span` (default: the current token), unless its line already has one. */
  error(message: string, span: Span = this.tok.span): void {
    if (this.#halted) return
    const line = span.start.line
    if (this.#linesWithErrors.has(line)) return
    this.#linesWithErrors.add(line)
    this.diagnostics.push({ span, message })
  }

  /** Records an error even when its line already has one (for errors that are not knock-on effects). */
  errorAlways(message: string, span: Span): void {
    if (this.#halted) return
    this.#linesWithErrors.add(span.start.line)
    this.diagnostics.push({ span, message })
  }

  /** Skips tokens up to (not including) one of `kinds`, or EOF. */
  advanceTo(...kinds: TokenKind[]): void {
    while (this.kind() !== 'EOF' && !kinds.includes(this.kind())) this.next()
  }

  /**
   * Skips the rest of a statement: up to a terminator that is not inside a (), [] or {} pair opened
   * while skipping, or up to a closing bracket of an enclosing pair (left for its owner to consume).
   */
  skipStatement(): void {
    let depth = 0
    while (this.kind() !== 'EOF') {
      const k = this.kind()
      if (k === '{' || k === '[' || k === '(') depth++
      else if (k === '}' || k === ']' || k === ')') {
        if (depth === 0) return
        depth--
      } else if (k === 'TERMINATOR' && depth === 0) return
      this.next()
    }
  }
}
