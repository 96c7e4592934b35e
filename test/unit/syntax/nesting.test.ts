import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DiagnosticError, decodeConfigBytes, evaluate, parse } from '../../../src/syntax/index.js'
import { MAX_NESTING_DEPTH } from '../../../src/syntax/parser-cursor.js'

const DEEP = /^deep\.alloy:1:\d+: nesting is deeper than 200 levels \(brackets, braces, parentheses, blocks and operators count one each\)$/

/** The only error of parsing `text`: its formatted `FILE:LINE:COL: message`. */
function onlyError(text: string): string {
  try {
    parse(text, 'deep.alloy')
  } catch (error) {
    assert.ok(error instanceof DiagnosticError, `expected a DiagnosticError, got ${String(error)}`)
    assert.equal(error.diagnostics.length, 1, error.message.slice(0, 500))
    return error.message
  }
  assert.fail('expected the config to be refused')
}

const hostile: [string, (n: number) => string][] = [
  ['nested [', (n) => `a = ${'['.repeat(n)}${']'.repeat(n)}`],
  ['a long + chain', (n) => `a = ${Array.from({ length: n }, () => '"x"').join(' + ')}`],
  ['a long && chain', (n) => `a = ${Array.from({ length: n }, () => 'true').join(' && ')}`],
  ['a long ^ chain', (n) => `a = ${Array.from({ length: n }, () => '1').join(' ^ ')}`],
  ['nested blocks', (n) => `${'b {\n'.repeat(n)}${'}\n'.repeat(n)}`.replace(/^b \{\n/, 'b { ')],
  ['nested objects', (n) => `a = ${'{x = '.repeat(n)}1${'}'.repeat(n)}`],
  ['nested parentheses', (n) => `a = ${'('.repeat(n)}1${')'.repeat(n)}`],
  ['repeated !', (n) => `a = ${'!'.repeat(n)}true`],
  ['repeated -', (n) => `a = ${'-'.repeat(n)}1`],
  ['chained indexes', (n) => `a = x${'[0]'.repeat(n)}`],
  ['nested calls', (n) => `a = ${'f('.repeat(n)}1${')'.repeat(n)}`]
]

describe('nesting limit', () => {
  for (const [name, build] of hostile) {
    it(`turns ${name} (10,000 deep) into one positioned error, not a stack overflow`, () => {
      const message = onlyError(build(10_000))
      if (name === 'nested blocks') assert.match(message, /^deep\.alloy:\d+:\d+: nesting is deeper than 200 levels/)
      else assert.match(message, DEEP)
    })
  }

  it('turns the issue\'s 2,000 [ and 4,000-term chain into positioned errors', () => {
    assert.match(onlyError(`a = ${'['.repeat(2000)}${']'.repeat(2000)}`), DEEP)
    assert.match(onlyError(`a = ${Array.from({ length: 4000 }, () => '"x"').join(' + ')}`), DEEP)
  })

  it('accepts nesting just within the limit, and evaluates it', () => {
    const depth = MAX_NESTING_DEPTH - 1
    const file = parse(`a = ${'['.repeat(depth)}${']'.repeat(depth)}\nb = ${Array.from({ length: depth }, () => '"x"').join(' + ')}\n`, 'ok.alloy')
    assert.equal(file.body.length, 2)
    for (const stmt of file.body) {
      if (stmt.kind === 'attribute') evaluate(stmt.value, { lookup: () => undefined, env: () => undefined })
    }
  })
})

describe('decodeConfigBytes', () => {
  it('returns valid UTF-8 as text', () => {
    assert.equal(decodeConfigBytes(Buffer.from('a = "é"\n'), 'ok.alloy'), 'a = "é"\n')
  })

  it('refuses invalid UTF-8 with the position of the first bad byte instead of U+FFFD', () => {
    const bytes = Buffer.concat([Buffer.from('a = 1\nb = "ok é '), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')])
    assert.throws(
      () => decodeConfigBytes(bytes, 'bad.alloy'),
      (error: unknown) => error instanceof DiagnosticError && error.message === 'bad.alloy:2:11: invalid UTF-8 (byte 0xff at byte offset 17): a config must be UTF-8 text'
    )
  })
})
