import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { AlloyFunction, Secret, evaluate, makeObject, parseExpr } from '../../../src/syntax/index.js'
import type { Scope, Value } from '../../../src/syntax/index.js'
import { diagnosticsOf, firstError } from './helpers.js'

const SECRET_TEXT = 'hunter2-very-secret'

function scopeOf(values: Record<string, Value>, env: Record<string, string> = {}): Scope {
  return { lookup: (name) => (Object.hasOwn(values, name) ? values[name] : undefined), env: (name) => env[name] }
}

const defaultScope = scopeOf({
  token: new Secret(SECRET_TEXT),
  discovery: makeObject([['http', makeObject([['x', makeObject([['targets', [makeObject([['__address__', 'a:1']])]]])]])]]),
  twice: new AlloyFunction('twice', (args) => (args[0] as number) * 2)
})

const run = (text: string, scope: Scope = defaultScope): Value => evaluate(parseExpr(text, 'e.alloy'), scope)
const errorOf = (text: string, scope: Scope = defaultScope): string => firstError(() => run(text, scope))

describe('evaluate: operators', () => {
  const cases: ReadonlyArray<readonly [string, Value]> = [
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', 4],
    ['10 - 4 - 3', 3],
    ['7 / 2', 3],
    ['-7 / 2', -3],
    ['7.5 / 2.5', 3],
    ['7 / 2.5', 2.8],
    ['7 % 3', 1],
    ['"ab" + "cd"', 'abcd'],
    ['"a" < "b"', true],
    ['2 >= 3', false],
    ['1 == 1 && 2 != 3', true],
    ['[1, {a = 2}] == [1, {a = 2}]', true],
    ['1 == "1"', false],
    ['null == null', true],
    ['!false || false', true],
    ['true && !true', false]
  ]
  for (const [text, expected] of cases) {
    it(`evaluates ${text} to ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(run(text), expected)
    })
  }

  it('adds secrets to secrets and keeps the result secret', () => {
    const v = run('token + token')
    assert.ok(v instanceof Secret)
    assert.equal(v.reveal(), SECRET_TEXT + SECRET_TEXT)
  })

  it('reports operands of different types at the right operand', () => {
    assert.equal(errorOf('"a" + 1'), '1:7: expected string, got number')
  })

  it('reports an operand of a type the operator does not take, at that operand', () => {
    assert.equal(errorOf('1 - "a"'), '1:5: expected number for operator -, got string')
    assert.equal(errorOf('true + true'), '1:1: expected number, string or secret for operator +, got bool')
    assert.equal(errorOf('[1] < [2]'), '1:1: expected number or string for operator <, got array')
  })

  it('reports unary operators applied to the wrong type at the operand', () => {
    assert.equal(errorOf('!1'), '1:2: expected bool, got number')
    assert.equal(errorOf('-"x"'), '1:2: expected number, got string')
  })

  it('reports division and modulo by zero at the divisor', () => {
    assert.equal(errorOf('1 / (2 - 2)'), '1:5: divide by zero error')
    assert.equal(errorOf('1 % 0'), '1:5: divide by zero error')
  })

  it('never puts the text of a secret into an error message', () => {
    for (const text of ['"a" + token', 'token + "a"', 'token - 1', '-token', 'token < token', 'token.x', 'token[0]', 'token()']) {
      const message = diagnosticsOf(() => run(text)).map((d) => d.message).join('\n')
      assert.ok(!message.includes(SECRET_TEXT), `${text}: ${message}`)
      assert.match(message, /secret/)
    }
  })
})

describe('evaluate: names, fields, indexes and calls', () => {
  it('resolves identifiers through the scope before the standard library', () => {
    assert.equal(run('concat', scopeOf({ concat: 'mine' })), 'mine')
    assert.ok(run('concat', scopeOf({})) instanceof AlloyFunction)
  })

  it('reports an unknown identifier at the identifier', () => {
    assert.equal(errorOf('1 + nope'), '1:5: identifier "nope" does not exist')
  })

  it('reads fields of component exports', () => {
    assert.deepEqual(run('discovery.http.x.targets[0]["__address__"]'), 'a:1')
  })

  it('reports a missing field at its name', () => {
    assert.equal(errorOf('discovery.http.x.target'), '1:18: field "target" does not exist; did you mean "targets"?')
  })

  it('reports field access on a value that is not an object', () => {
    assert.equal(errorOf('"s".length'), '1:1: cannot access field "length" on a value of type string')
  })

  it('reports an array index out of range at the index', () => {
    assert.equal(errorOf('[1, 2][2]'), '1:8: index 2 is out of range of array with length 2')
    assert.equal(errorOf('[1, 2][-1]'), '1:8: index -1 is out of range of array with length 2')
  })

  it('reports an index of the wrong type', () => {
    assert.equal(errorOf('[1][true]'), '1:5: expected number, got bool')
    assert.equal(errorOf('{a = 1}[0]'), '1:9: expected string, got number')
    assert.equal(errorOf('"abc"[0]'), '1:1: expected object or array, got string')
  })

  it('reads a missing object key through [] as null', () => {
    assert.equal(run('{a = 1}["b"]'), null)
  })

  it('builds objects with a null prototype, so "__proto__" is an ordinary key', () => {
    const v = run('{"__proto__" = 1, b = 2}') as Record<string, Value>
    assert.equal(Object.getPrototypeOf(v), null)
    assert.deepEqual(Object.keys(v), ['__proto__', 'b'])
  })

  it('calls functions from the scope with evaluated arguments', () => {
    assert.equal(run('twice(1 + 2)'), 6)
  })

  it('reports a call of a value that is not a function at the callee', () => {
    assert.equal(errorOf('discovery.http(1)'), '1:1: expected function, got object')
  })

  it('turns a function failing without a position into an error at the call', () => {
    const scope = scopeOf({ boom: new AlloyFunction('boom', () => { throw new Error('it broke') }) })
    assert.equal(errorOf('[boom()]', scope), '1:2: boom: it broke')
  })
})
