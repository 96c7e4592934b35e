import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lex } from '../../../src/syntax/index.js'
import type { Token } from '../../../src/syntax/index.js'
import { firstError } from './helpers.js'

const kinds = (text: string): string[] => lex(text, 'test.alloy').map((t) => t.kind)
const only = (text: string): Token => {
  const t = lex(text, 'test.alloy')[0]
  assert.ok(t)
  return t
}
const stringValue = (text: string): string | undefined => only(text).value

describe('lexer', () => {
  it('recognises identifiers, keywords and every literal kind', () => {
    assert.deepEqual(kinds('abc _x1 héllo true false null 42 3.14 .5 1e3 2E-2 "s" `r`'), [
      'IDENT', 'IDENT', 'IDENT', 'BOOL', 'BOOL', 'NULL', 'NUMBER', 'FLOAT', 'FLOAT', 'FLOAT', 'FLOAT', 'STRING', 'STRING',
      'TERMINATOR', 'EOF'
    ])
  })

  it('recognises every operator and punctuation mark, longest match first', () => {
    assert.deepEqual(kinds('|| && ! != = == < <= > >= + - * / % ^ { } ( ) [ ] , . :').slice(0, -1), [
      '||', '&&', '!', '!=', '=', '==', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '^', '{', '}', '(', ')', '[', ']', ',', '.', ':'
    ])
  })

  it('gives every token a 1-based line and column and a 0-based offset', () => {
    const [a, eq, one, term, b] = lex('a = 1\n  b', 'f.alloy')
    assert.deepEqual(a?.span.start, { offset: 0, line: 1, column: 1 })
    assert.deepEqual(eq?.span.start, { offset: 2, line: 1, column: 3 })
    assert.deepEqual(one?.span.end, { offset: 5, line: 1, column: 6 })
    assert.equal(term?.kind, 'TERMINATOR')
    assert.deepEqual(b?.span.start, { offset: 8, line: 2, column: 3 })
    assert.equal(b?.span.file, 'f.alloy')
  })

  it('decodes the simple Go escapes', () => {
    assert.equal(stringValue(String.raw`"\a\b\f\n\r\t\v\\\""`), '\x07\b\f\n\r\t\v\\"')
  })

  it('decodes octal, hex and unicode escapes', () => {
    assert.equal(stringValue(String.raw`"\101\x42\u0043\U0001F600"`), 'ABC😀')
  })

  it('keeps raw strings verbatim across lines, without interpreting escapes', () => {
    const t = only('`line 1\n\\n "line" 2`')
    assert.equal(t.value, 'line 1\n\\n "line" 2')
    assert.equal(t.raw, true)
  })

  it('skips line and block comments', () => {
    assert.deepEqual(kinds('a // x\n/* multi\nline */ b /* inline */ c'), ['IDENT', 'TERMINATOR', 'IDENT', 'IDENT', 'TERMINATOR', 'EOF'])
  })

  it('inserts terminators at newlines only after identifiers, literals and closing brackets', () => {
    assert.deepEqual(kinds('a\n1\n"s"\n)\n]\n}\n'), ['IDENT', 'TERMINATOR', 'NUMBER', 'TERMINATOR', 'STRING', 'TERMINATOR', ')', 'TERMINATOR', ']', 'TERMINATOR', '}', 'TERMINATOR', 'EOF'])
    assert.deepEqual(kinds('[\n{\n(\n=\n,\n+\n'), ['[', '{', '(', '=', ',', '+', 'EOF'])
  })

  it('treats a comment that ends its line as the newline that ends a statement', () => {
    assert.deepEqual(kinds('a // trailing\nb'), ['IDENT', 'TERMINATOR', 'IDENT', 'TERMINATOR', 'EOF'])
    assert.deepEqual(kinds('a /* spans\nlines */ b'), ['IDENT', 'TERMINATOR', 'IDENT', 'TERMINATOR', 'EOF'])
  })

  it('counts columns in UTF-16 code units after non-ASCII text', () => {
    const tokens = lex('"😀" x', 'f')
    assert.equal(tokens[1]?.span.start.column, 6)
  })

  it('ignores a byte order mark at the start of the file', () => {
    assert.deepEqual(kinds('\uFEFFa'), ['IDENT', 'TERMINATOR', 'EOF'])
  })

  it('reports an unterminated string at its opening quote', () => {
    assert.equal(firstError(() => lex('a = "abc\nb = 1', 'f')), '1:5: string literal not terminated')
  })

  it('reports an unterminated raw string at its opening backquote', () => {
    assert.equal(firstError(() => lex('x = `abc', 'f')), '1:5: raw string literal not terminated')
  })

  it('reports an unknown escape at the backslash', () => {
    assert.equal(firstError(() => lex('"ab\\qc"', 'f')), '1:4: unknown escape sequence')
  })

  it('reports a short hex escape naming the character that stopped it', () => {
    assert.equal(firstError(() => lex('"\\x4g"', 'f')), "1:2: illegal character U+0067 'g' in escape sequence")
  })

  it('reports an escape that is not a valid code point', () => {
    assert.equal(firstError(() => lex('"\\uD800"', 'f')), '1:2: escape sequence is invalid Unicode code point')
  })

  it('reports a stray character with its code point', () => {
    assert.equal(firstError(() => lex('a = 1\n  # note', 'f')), "2:3: illegal character U+0023 '#'")
  })

  it('rejects single-quoted strings', () => {
    assert.equal(firstError(() => lex("a = 'x'", 'f')), '1:5: illegal single-quoted string; use double quotes')
  })

  it('reports an unterminated block comment at its start', () => {
    assert.equal(firstError(() => lex('a = 1 /* open', 'f')), '1:7: block comment not terminated')
  })

  it('reports an exponent without digits', () => {
    assert.equal(firstError(() => lex('1e+', 'f')), '1:1: exponent has no digits')
  })
})
