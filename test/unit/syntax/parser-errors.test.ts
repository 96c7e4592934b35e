import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse } from '../../../src/syntax/index.js'
import { diagnosticsOf, firstError } from './helpers.js'

const errorOf = (text: string): string => firstError(() => parse(text, 'bad.alloy'))

describe('parser errors', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['an unterminated string', 'a = "abc\n', '1:5: string literal not terminated'],
    ['an unterminated raw string', 'a {\n  b = `abc\n}\n', '2:7: raw string literal not terminated'],
    ['an unknown escape', 'a = "x\\zy"', '1:7: unknown escape sequence'],
    ['a stray #', 'a = 1\n# comment\n', "2:1: illegal character U+0023 '#'"],
    ['a single-quoted string', "a = 'b'", '1:5: illegal single-quoted string; use double quotes'],
    ['a missing = before a value', 'url "http://x"\n', '1:5: expected =, got STRING'],
    ['a value with no name', '= 1', '1:1: expected identifier, got ='],
    ['a name with nothing after it', 'a\nb = 1', '1:2: expected attribute assignment or block body, got TERMINATOR'],
    ['a dotted name with no block', 'a.b 1', '1:5: expected block label, got NUMBER'],
    ['a missing } at the end of the file', 'a {\n  b = 1\n', '3:1: expected }, got EOF'],
    ['a missing comma in a multi-line list', 'a = [\n  1\n  2,\n]', "2:4: missing ',' in expression list"],
    ['a missing comma in a multi-line object', 'a = {\n  b = 1\n  c = 2,\n}', "2:8: missing ',' in field list"],
    ['a missing comma in call arguments', 'a = f(\n  1\n)', "2:4: missing ',' in expression list"],
    ['a label that is not an identifier', 'a.b "a-b" {\n}', '1:5: expected block label to be a valid identifier, but got "a-b"'],
    ['a raw-string label', 'a.b `x` {\n}', '1:5: expected block label to be a double quoted string, but got "`x`"'],
    ['a label on an attribute', 'a "x" = 1', '1:3: attribute names may not have labels'],
    ['a dotted attribute name', 'a.b = 1', '1:1: attribute names may only consist of a single identifier with no "."'],
    ['an unexpected token in an expression', 'a = 1 + )', '1:9: expected expression, got )'],
    ['an operator with no right operand', 'a = 1 *\n', '2:1: expected expression, got EOF'],
    ['an unterminated block comment', 'a = 1\n/* never closed', '2:1: block comment not terminated'],
    ['two statements on one line', 'a = 1 b = 2', '1:7: expected TERMINATOR, got IDENT'],
    ['an unclosed parenthesis', 'a = (1 + 2\n', '1:11: expected ), got TERMINATOR'],
    ['an unclosed index', 'a = b[1\n', '1:8: expected ], got TERMINATOR'],
    ['a field access without a name', 'a = b."c"', '1:7: expected IDENT, got STRING'],
    ['a bad object key', 'a = { 1 = 2 }', '1:7: expected field name (string or identifier), got NUMBER'],
    ['a field without =', 'a = { b 1 }', '1:9: expected =, got NUMBER'],
    ['a block used as a value', 'a = b "c" {\n}', '1:5: cannot use a block as an expression'],
    ['a stray closing brace', 'a = 1\n}\n', '2:1: expected identifier, got }']
  ]

  for (const [what, text, expected] of cases) {
    it(`reports ${what} at its exact position`, () => {
      assert.equal(errorOf(text), expected)
    })
  }

  it('names the file in every diagnostic', () => {
    const [d] = diagnosticsOf(() => parse('a = ', 'conf/bad.alloy'))
    assert.equal(d?.span.file, 'conf/bad.alloy')
  })

  it('reports errors on several lines in one pass, in source order', () => {
    const ds = diagnosticsOf(() => parse('a = )\nb = "x\nc = [\n 1\n 2\n]\n', 'f'))
    assert.deepEqual(
      ds.map((d) => `${d.span.start.line}:${d.span.start.column}: ${d.message}`),
      ['1:5: expected expression, got )', '2:5: string literal not terminated', "4:3: missing ',' in expression list", "5:3: missing ',' in expression list"]
    )
  })

  it('keeps going after a bad statement to find errors in later blocks', () => {
    const ds = diagnosticsOf(() => parse('a {\n  x y z\n}\nb {\n  c = )\n}\n', 'f'))
    assert.deepEqual(ds.map((d) => d.span.start.line), [2, 5])
  })
})
