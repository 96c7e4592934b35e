/**
 * The Alloy scanner: text → tokens with spans.
 *
 * Follows Alloy's `syntax/scanner` (itself modelled on Go's): the same token set, the same names in
 * messages (`IDENT`, `STRING`, `TERMINATOR`…), and Go's automatic terminator insertion: a newline (or a
 * comment running to the end of the line, or the end of the file) becomes a TERMINATOR token when the
 * previous token was an identifier, a literal, `)`, `]` or `}`. That rule is why multi-line lists and
 * objects need a comma after every element.
 *
 * One addition to Alloy's token set: `:`, so objects may be written JSON-style (`{ "k": v }`), which
 * docs/alloy-compatibility.md "Config" lists.
 *
 * Lexical errors are collected, not thrown, so the parser can report everything in one pass; `lex`
 * throws them for callers that only want tokens.
 */
import { DiagnosticError } from './diagnostics.js'
import type { Diagnostic, Span } from './diagnostics.js'
import { decodeEscape, describeCodePoint } from './escapes.js'
import { LineIndex, TextSpan } from './line-index.js'

/** Non-fatal: bytes that are not UTF-8 become U+FFFD (a JS string cannot hold them). */
const UTF8 = new TextDecoder('utf-8')

export type TokenKind =
  | 'ILLEGAL'
  | 'EOF'
  | 'IDENT'
  | 'NUMBER'
  | 'FLOAT'
  | 'STRING'
  | 'BOOL'
  | 'NULL'
  | 'TERMINATOR'
  | '||' | '&&' | '!' | '=' | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '+' | '-' | '*' | '/' | '%' | '^'
  | '{' | '}' | '(' | ')' | '[' | ']' | ',' | '.' | ':'

export interface Token {
  readonly kind: TokenKind
  /** The source text of the token (for TERMINATOR: "\n"; for EOF: ""). */
  readonly text: string
  /** Decoded value of a STRING token (quotes removed, escapes applied). */
  readonly value?: string
  /** For STRING: whether it was a backquoted raw string. */
  readonly raw?: boolean
  readonly span: Span
}

export interface LexResult {
  readonly tokens: readonly Token[]
  readonly diagnostics: readonly Diagnostic[]
}

const BOM = 0xfeff
/** One-character strings of the ASCII code points, so scanning an operator allocates nothing. */
const ASCII: readonly string[] = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c))
const OPERATORS_2 = new Set(['||', '&&', '==', '!=', '<=', '>='])
const OPERATORS_1 = new Set('!=<>+-*/%^{}()[],.:'.split(''))
/** Tokens after which a newline ends the statement (Go's rule). */
const INSERTS_TERMINATOR = new Set<TokenKind>(['IDENT', 'NUMBER', 'FLOAT', 'STRING', 'BOOL', 'NULL', ')', ']', '}'])

export const isLetter = (cp: number): boolean =>
  (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || cp === 0x5f || (cp >= 0x80 && /\p{L}/u.test(String.fromCodePoint(cp)))
const isDecimal = (cp: number): boolean => cp >= 0x30 && cp <= 0x39
const isIdentPart = (cp: number): boolean =>
  isLetter(cp) || isDecimal(cp) || (cp >= 0x80 && /\p{Nd}/u.test(String.fromCodePoint(cp)))

/** Whether `s` scans as exactly one IDENT token (so not a keyword like `true` or `null`). */
export function isValidIdentifier(s: string): boolean {
  const first = s.codePointAt(0)
  if (first === undefined || !isLetter(first)) return false
  for (const ch of s) if (!isIdentPart(ch.codePointAt(0) ?? 0)) return false
  return s !== 'true' && s !== 'false' && s !== 'null'
}

class Scanner {
  readonly tokens: Token[] = []
  readonly diagnostics: Diagnostic[] = []
  readonly #text: string
  readonly #file: string
  readonly #lines: LineIndex
  #pos = 0
  #insertTerm = false

  constructor(text: string, file: string) {
    this.#text = text
    this.#file = file
    this.#lines = new LineIndex(text)
    if (text.codePointAt(0) === BOM) this.#pos = 1
  }

  span(start: number, end: number): Span {
    return new TextSpan(this.#file, this.#lines, start, end)
  }

  error(start: number, end: number, message: string): void {
    this.diagnostics.push({ span: this.span(start, end), message })
  }

  run(): void {
    for (;;) {
      this.#skipWhitespace()
      const start = this.#pos
      if (start >= this.#text.length) {
        if (this.#insertTerm) this.#push('TERMINATOR', start, start, '\n')
        this.#push('EOF', start, start, '')
        return
      }
      this.#scanOne(start)
    }
  }

  #push(kind: TokenKind, start: number, end: number, text: string): void {
    this.tokens.push({ kind, text, span: this.span(start, end) })
    this.#insertTerm = INSERTS_TERMINATOR.has(kind)
  }

  #pushString(start: number, end: number, text: string, value: string, raw: boolean): void {
    this.tokens.push({ kind: 'STRING', text, span: this.span(start, end), value, raw })
    this.#insertTerm = true
  }

  #skipWhitespace(): void {
    for (;;) {
      const c = this.#text.charCodeAt(this.#pos)
      if (c === 0x20 || c === 0x09 || c === 0x0d || (c === 0x0a && !this.#insertTerm)) this.#pos++
      else return
    }
  }

  #scanOne(start: number): void {
    const text = this.#text
    const cp = text.codePointAt(start) ?? 0
    const next = text.charCodeAt(start + 1)
    if (isLetter(cp)) return this.#scanIdentifier(start)
    if (isDecimal(cp) || (cp === 0x2e && isDecimal(next))) return this.#scanNumber(start)
    if (cp === 0x0a) {
      this.#pos++
      return this.#push('TERMINATOR', start, start + 1, '\n')
    }
    if (cp === 0x22) return this.#scanString(start)
    if (cp === 0x60) return this.#scanRawString(start)
    if (cp === 0x27) return this.#scanSingleQuoted(start)
    if (cp === 0x2f && (next === 0x2f || next === 0x2a)) return this.#scanComment(start)
    const ch = cp < 0x80 ? ASCII[cp] ?? '' : String.fromCodePoint(cp)
    // Only `|&=!<>` start a two-character operator (all of them end with `=`, `|` or `&`).
    const two = next === 0x3d || next === 0x7c || next === 0x26 ? text.slice(start, start + 2) : ''
    if (OPERATORS_2.has(two)) {
      this.#pos += 2
      return this.#push(two as TokenKind, start, start + 2, two)
    }
    if (ch === '|' || ch === '&') {
      // Alloy reports the missing half and carries on as if it was there.
      this.error(start + 1, start + 1, `missing second ${ch} in ${ch}${ch}`)
      this.#pos++
      return this.#push(ch === '|' ? '||' : '&&', start, start + 1, ch)
    }
    if (OPERATORS_1.has(ch)) {
      this.#pos++
      return this.#push(ch as TokenKind, start, start + 1, ch)
    }
    this.#pos += ch.length
    const message = cp === 0 ? 'illegal character NUL' : cp === BOM ? 'illegal byte order mark' : `illegal character ${describeCodePoint(cp)}`
    this.error(start, this.#pos, message)
    // An illegal character keeps the terminator state of what came before it (as in Alloy).
    const keep = this.#insertTerm
    this.tokens.push({ kind: 'ILLEGAL', text: ch, span: this.span(start, this.#pos) })
    this.#insertTerm = keep
  }

  #scanIdentifier(start: number): void {
    let end = start
    for (;;) {
      const cp = this.#text.codePointAt(end)
      if (cp === undefined || !isIdentPart(cp)) break
      end += cp > 0xffff ? 2 : 1
    }
    this.#pos = end
    const word = this.#text.slice(start, end)
    const kind: TokenKind = word === 'true' || word === 'false' ? 'BOOL' : word === 'null' ? 'NULL' : 'IDENT'
    this.#push(kind, start, end, word)
  }

  #digits(): number {
    const from = this.#pos
    while (isDecimal(this.#text.charCodeAt(this.#pos))) this.#pos++
    return this.#pos - from
  }

  #scanNumber(start: number): void {
    this.#pos = start
    let kind: TokenKind = 'NUMBER'
    this.#digits()
    if (this.#text[this.#pos] === '.') {
      kind = 'FLOAT'
      this.#pos++
      this.#digits()
    }
    if (this.#text[this.#pos] === 'e' || this.#text[this.#pos] === 'E') {
      kind = 'FLOAT'
      this.#pos++
      if (this.#text[this.#pos] === '+' || this.#text[this.#pos] === '-') this.#pos++
      if (this.#digits() === 0) this.error(start, this.#pos, 'exponent has no digits')
    }
    this.#push(kind, start, this.#pos, this.#text.slice(start, this.#pos))
  }

  #scanString(start: number): void {
    const text = this.#text
    const plainEnd = plainStringEnd(text, start + 1)
    if (plainEnd >= 0) {
      // No escape and no line break before the closing quote: the value is the text between the quotes.
      this.#pos = plainEnd + 1
      return this.#pushString(start, plainEnd + 1, text.slice(start, plainEnd + 1), text.slice(start + 1, plainEnd), false)
    }
    let value = ''
    // Bytes of consecutive \x and octal escapes, decoded together as UTF-8 (Go strings are bytes).
    let bytes: number[] | undefined
    const flush = (): void => {
      if (bytes === undefined) return
      value += UTF8.decode(Uint8Array.from(bytes))
      bytes = undefined
    }
    let i = start + 1
    for (;;) {
      const c = text[i]
      if (c === undefined || c === '\n') {
        this.error(start, i, 'string literal not terminated')
        break
      }
      if (c === '"') {
        i++
        break
      }
      if (c === '\\') {
        const escape = decodeEscape(text, i)
        if ('error' in escape) {
          this.error(i, escape.end, escape.error)
          i = escape.end
          continue
        }
        if (escape.byte !== undefined) (bytes ??= []).push(escape.byte)
        else {
          flush()
          value += escape.value
        }
        i = escape.end
        continue
      }
      flush()
      value += c
      i++
    }
    flush()
    this.#pos = i
    this.#pushString(start, i, text.slice(start, i), value, false)
  }

  #scanRawString(start: number): void {
    const close = this.#text.indexOf('`', start + 1)
    const end = close < 0 ? this.#text.length : close + 1
    if (close < 0) this.error(start, end, 'raw string literal not terminated')
    this.#pos = end
    const value = this.#text.slice(start + 1, close < 0 ? end : close)
    this.#pushString(start, end, this.#text.slice(start, end), value, true)
  }

  #scanSingleQuoted(start: number): void {
    this.error(start, start + 1, 'illegal single-quoted string; use double quotes')
    let i = start + 1
    while (i < this.#text.length && this.#text[i] !== "'" && this.#text[i] !== '\n') i += this.#text[i] === '\\' ? 2 : 1
    if (this.#text[i] === "'") i++
    this.#pos = i
    this.tokens.push({ kind: 'ILLEGAL', text: this.#text.slice(start, i), span: this.span(start, i) })
    this.#insertTerm = true
  }

  /**
   * Skips a comment. When a terminator is pending and the comment reaches the end of its line (a `//`
   * comment, or a block comment containing a newline), the comment stands for that newline.
   */
  #scanComment(start: number): void {
    const text = this.#text
    let end: number
    let hasNewline: boolean
    if (text[start + 1] === '/') {
      const nl = text.indexOf('\n', start)
      end = nl < 0 ? text.length : nl
      hasNewline = true
    } else {
      const close = text.indexOf('*/', start + 2)
      if (close < 0) this.error(start, text.length, 'block comment not terminated')
      end = close < 0 ? text.length : close + 2
      hasNewline = text.slice(start, end).includes('\n')
    }
    this.#pos = end
    if (this.#insertTerm && hasNewline) this.#push('TERMINATOR', start, end, '\n')
  }
}

/** The index of the closing `"` when no `\\` or line break comes before it; -1 otherwise. */
function plainStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x22) return i
    if (c === 0x5c || c === 0x0a) return -1
  }
  return -1
}

/** Scans the whole text, collecting lexical errors instead of throwing. */
export function tokenize(text: string, fileName: string): LexResult {
  const scanner = new Scanner(text, fileName)
  scanner.run()
  return { tokens: scanner.tokens, diagnostics: scanner.diagnostics }
}

/** Scans the whole text; throws a DiagnosticError listing every lexical error. */
export function lex(text: string, fileName: string): readonly Token[] {
  const { tokens, diagnostics } = tokenize(text, fileName)
  if (diagnostics.length > 0) throw new DiagnosticError(diagnostics)
  return tokens
}
