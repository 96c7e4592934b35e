import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parse, parseExpr } from '../../../src/syntax/index.js'
import type { Attribute, Block, Expr } from '../../../src/syntax/index.js'
import { SPEC_EXAMPLES } from './spec-examples.js'

const expr = (text: string): Expr => parseExpr(text, 'e.alloy')

/** A compact rendering of the tree shape: binary and unary nodes in prefix form, leaves as written. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'binary':
      return `(${e.op} ${shape(e.left)} ${shape(e.right)})`
    case 'unary':
      return `(${e.op} ${shape(e.operand)})`
    case 'paren':
      return `[${shape(e.inner)}]`
    case 'literal':
      return e.raw
    case 'identifier':
      return e.name
    case 'access':
      return `${shape(e.object)}.${e.name}`
    case 'index':
      return `${shape(e.object)}[${shape(e.index)}]`
    case 'call':
      return `${shape(e.callee)}(${e.args.map(shape).join(' ')})`
    case 'array':
      return `{list ${e.elements.map(shape).join(' ')}}`
    case 'object':
      return `{obj ${e.fields.map((f) => `${f.key}=${shape(f.value)}`).join(' ')}}`
  }
}

function attribute(text: string): Attribute {
  const stmt = parse(text, 'f.alloy').body[0]
  assert.equal(stmt?.kind, 'attribute')
  return stmt as Attribute
}

describe('parser: statements', () => {
  it('parses a block with a dotted name, a label and nested blocks', () => {
    const file = parse('pyroscope.scrape "default" {\n  profiling_config {\n    profile.custom "my_prof" {\n      enabled = true\n    }\n  }\n}\n', 'f.alloy')
    const block = file.body[0] as Block
    assert.deepEqual(block.name, ['pyroscope', 'scrape'])
    assert.equal(block.label, 'default')
    assert.deepEqual(block.labelSpan?.start, { offset: 17, line: 1, column: 18 })
    const inner = block.body[0] as Block
    assert.deepEqual(inner.name, ['profiling_config'])
    assert.equal(inner.label, undefined)
    const custom = inner.body[0] as Block
    assert.deepEqual(custom.name, ['profile', 'custom'])
    assert.equal(custom.label, 'my_prof')
    assert.equal((custom.body[0] as Attribute).name, 'enabled')
    assert.equal(custom.span.end.line, 5)
  })

  it('parses attributes with literal values of every kind', () => {
    const values = ['"a\\tb"', '`raw`', '42', '1.5', '.5', '1e3', 'true', 'false', 'null'].map((v) => {
      const value = attribute(`x = ${v}`).value
      assert.equal(value.kind, 'literal')
      return value.kind === 'literal' ? value.value : undefined
    })
    assert.deepEqual(values, ['a\tb', 'raw', 42, 1.5, 0.5, 1000, true, false, null])
  })

  it('gives an attribute spans for its name and its whole text', () => {
    const a = attribute('\n  timeout = "15s"')
    assert.deepEqual([a.nameSpan.start.line, a.nameSpan.start.column, a.span.end.column], [2, 3, 18])
  })

  it('parses objects with = or : separators, quoted or bare keys and a trailing comma', () => {
    const value = attribute('x = {\n  a = 1,\n  "b-c": "two",\n  d: [],\n}').value
    assert.equal(value.kind, 'object')
    if (value.kind !== 'object') return
    assert.deepEqual(value.fields.map((f) => [f.key, f.quoted]), [['a', false], ['b-c', true], ['d', false]])
  })

  it('parses multi-line lists with a trailing comma', () => {
    assert.equal(shape(attribute('x = [\n  1,\n  2,\n]').value), '{list 1 2}')
  })

  it('parses every example config of the pyroscope.scrape reference', () => {
    assert.equal(SPEC_EXAMPLES.length, 6)
    for (const example of SPEC_EXAMPLES) assert.ok(parse(example, 'example.alloy').body.length > 0)
  })

  it('parses an empty file and a file of comments to an empty body', () => {
    assert.deepEqual(parse('', 'f').body, [])
    assert.deepEqual(parse('// only\n/* comments */\n', 'f').body, [])
  })
})

describe('parser: expressions', () => {
  it('binds * tighter than + and + tighter than comparisons', () => {
    assert.equal(shape(expr('1 + 2 * 3 == 7')), '(== (+ 1 (* 2 3)) 7)')
  })

  it('binds && tighter than ||', () => {
    assert.equal(shape(expr('a || b && c || d')), '(|| (|| a (&& b c)) d)')
  })

  it('makes - and / left-associative', () => {
    assert.equal(shape(expr('8 - 4 - 2')), '(- (- 8 4) 2)')
    assert.equal(shape(expr('8 / 4 / 2')), '(/ (/ 8 4) 2)')
  })

  it('makes ^ right-associative and tighter than *', () => {
    assert.equal(shape(expr('2 ^ 3 ^ 2')), '(^ 2 (^ 3 2))')
    assert.equal(shape(expr('2 * 3 ^ 2')), '(* 2 (^ 3 2))')
  })

  it('binds unary operators tighter than ^ and nests them', () => {
    assert.equal(shape(expr('-2 ^ 2')), '(^ (- 2) 2)')
    assert.equal(shape(expr('!!a && b')), '(&& (! (! a)) b)')
  })

  it('keeps explicit parentheses in the tree', () => {
    assert.equal(shape(expr('(1 + 2) * 3')), '(* [(+ 1 2)] 3)')
  })

  it('parses postfix access, index and call chains', () => {
    assert.equal(shape(expr('discovery.http.x.targets[0]["a"]')), 'discovery.http.x.targets[0]["a"]')
    assert.equal(shape(expr('sys.env("HOME") + "/x"')), '(+ sys.env("HOME") "/x")')
    assert.equal(shape(expr('f(1, [2, 3], {a = 4},)')), 'f(1 {list 2 3} {obj a=4})')
  })

  it('allows operators to continue an expression on the next line', () => {
    assert.equal(shape(attribute('x = 1 +\n  2').value), '(+ 1 2)')
  })
})
