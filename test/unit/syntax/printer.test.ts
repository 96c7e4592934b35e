import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { format, formatExpr, parse, parseExpr, quoteString } from '../../../src/syntax/index.js'
import type { BinaryOp, Expr, File, ObjectField, Span, Statement } from '../../../src/syntax/index.js'
import { stripPositions } from './helpers.js'

const SPAN: Span = { file: 'gen', start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } }
const KEYWORDS = new Set(['true', 'false', 'null'])

const ident = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,6}$/).filter((s) => !KEYWORDS.has(s))

/** How tightly each binary operator binds (the grammar's levels); postfix and primaries are 8, unary 7. */
const LEVEL: Readonly<Record<BinaryOp, number>> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6
}
const levelOf = (e: Expr): number => (e.kind === 'binary' ? LEVEL[e.op] : e.kind === 'unary' ? 7 : 8)

/**
 * Wraps `e` in an explicit paren node when the grammar could not read it back in this position without
 * parentheses; that is the only shape of tree the parser produces.
 */
const wrap = (e: Expr, min: number): Expr => (levelOf(e) < min ? { kind: 'paren', inner: e, span: SPAN } : e)

const literal: fc.Arbitrary<Expr> = fc.oneof(
  fc.fullUnicodeString({ maxLength: 12 }),
  fc.nat(),
  fc.double({ min: 0, max: 1e30, noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.boolean(),
  fc.constant(null)
).map((value): Expr => ({ kind: 'literal', value, raw: '', span: SPAN }))

const binaryOps = Object.keys(LEVEL) as BinaryOp[]

const { expr } = fc.letrec<{ expr: Expr }>((tie) => {
  const sub = tie('expr')
  const field: fc.Arbitrary<ObjectField> = fc.oneof(
    fc.record({ key: ident, quoted: fc.boolean() }),
    fc.record({ key: fc.fullUnicodeString({ maxLength: 6 }), quoted: fc.constant(true) })
  ).chain(({ key, quoted }) => sub.map((value) => ({ key, quoted, keySpan: SPAN, value })))
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      literal,
      ident.map((name): Expr => ({ kind: 'identifier', name, span: SPAN })),
      fc.tuple(sub, ident).map(([o, name]): Expr => ({ kind: 'access', object: wrap(o, 8), name, nameSpan: SPAN, span: SPAN })),
      fc.tuple(sub, sub).map(([o, index]): Expr => ({ kind: 'index', object: wrap(o, 8), index, span: SPAN })),
      fc.tuple(sub, fc.array(sub, { maxLength: 3 })).map(([c, args]): Expr => ({ kind: 'call', callee: wrap(c, 8), args, span: SPAN })),
      fc.array(sub, { maxLength: 4 }).map((elements): Expr => ({ kind: 'array', elements, span: SPAN })),
      fc.array(field, { maxLength: 3 }).map((fields): Expr => ({ kind: 'object', fields, span: SPAN })),
      fc.tuple(fc.constantFrom('!' as const, '-' as const), sub).map(([op, o]): Expr => ({ kind: 'unary', op, operand: wrap(o, 7), span: SPAN })),
      fc.tuple(fc.constantFrom(...binaryOps), sub, sub).map(([op, l, r]): Expr => {
        const level = LEVEL[op]
        const [leftMin, rightMin] = op === '^' ? [level + 1, level] : [level, level + 1]
        return { kind: 'binary', op, left: wrap(l, leftMin), right: wrap(r, rightMin), span: SPAN }
      }),
      sub.map((inner): Expr => ({ kind: 'paren', inner, span: SPAN }))
    )
  }
})

const { statement } = fc.letrec<{ statement: Statement }>((tie) => ({
  statement: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(ident, expr).map(([name, value]): Statement => ({ kind: 'attribute', name, nameSpan: SPAN, value, span: SPAN })),
    fc.tuple(fc.array(ident, { minLength: 1, maxLength: 3 }), fc.option(ident, { nil: undefined }), fc.array(tie('statement'), { maxLength: 3 })).map(
      ([name, label, body]): Statement => ({
        kind: 'block',
        name,
        nameSpan: SPAN,
        ...(label === undefined ? {} : { label, labelSpan: SPAN }),
        body,
        span: SPAN
      })
    )
  )
}))

const file = fc.array(statement, { maxLength: 4 }).map((body): File => ({ kind: 'file', name: 'gen.alloy', body, span: SPAN }))

describe('printer', () => {
  it('prints any tree as text that parses back to the same tree', () => {
    fc.assert(
      fc.property(file, (f) => {
        const text = format(f)
        assert.deepEqual(stripPositions(parse(text, 'gen.alloy')), stripPositions(f), text)
      }),
      { numRuns: 300 }
    )
  })

  it('prints any expression as text that parses back to the same expression', () => {
    fc.assert(
      fc.property(expr, (e) => {
        assert.deepEqual(stripPositions(parseExpr(formatExpr(e), 'gen')), stripPositions(e))
      }),
      { numRuns: 300 }
    )
  })

  it('quotes any string so that it reads back unchanged', () => {
    const tricky = fc.oneof(fc.fullUnicodeString(), fc.stringOf(fc.constantFrom('\\', '"', '\n', '\r', '\t', '\0', '\x7f', '\u2028', '\uFEFF', '`', '$', '😀')))
    fc.assert(
      fc.property(tricky, (s) => {
        const e = parseExpr(quoteString(s), 'gen')
        assert.equal(e.kind === 'literal' ? e.value : undefined, s)
      }),
      { numRuns: 500 }
    )
  })

  it('keeps literals as they were written when they still mean the same value', () => {
    const text = 'a = "\\x41\\u00e9"\nb = `raw\\n`\nc = 1.50\nd = 1e3\n'
    assert.equal(format(parse(text, 'f')), text)
  })

  it('lays out blocks with tabs, one statement per line, and objects with trailing commas', () => {
    const text = 'pyroscope.scrape "x" {\n  targets = [{"__address__" = "a:1"}]\n  clustering { enabled = true }\n}'
    const printed = format(parse(text, 'f'))
    assert.equal(
      printed,
      'pyroscope.scrape "x" {\n\ttargets = [\n\t\t{\n\t\t\t"__address__" = "a:1",\n\t\t},\n\t]\n\n'.replace('\n\n', '\n') +
        '\tclustering {\n\t\tenabled = true\n\t}\n}\n'
    )
    assert.equal(format(parse(printed, 'f')), printed)
  })

  it('adds the parentheses a tree needs and no others', () => {
    const minus = (left: Expr, right: Expr): Expr => ({ kind: 'binary', op: '-', left, right, span: SPAN })
    const n = (value: number): Expr => ({ kind: 'literal', value, raw: '', span: SPAN })
    assert.equal(formatExpr(minus(n(1), minus(n(2), n(3)))), '1 - (2 - 3)')
    assert.equal(formatExpr(minus(minus(n(1), n(2)), n(3))), '1 - 2 - 3')
  })

  it('keeps a field access on a number literal from reading as a decimal point', () => {
    const e: Expr = { kind: 'access', object: { kind: 'literal', value: 1, raw: '1', span: SPAN }, name: 'a', nameSpan: SPAN, span: SPAN }
    assert.deepEqual(stripPositions(parseExpr(formatExpr(e), 'f')), stripPositions(e))
  })
})
