import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Secret, createStdlib, evaluate, parse, parseExpr, stdlib } from '../../../src/syntax/index.js'
import type { Attribute, Scope, Value } from '../../../src/syntax/index.js'
import { firstError } from './helpers.js'

const ENV: Record<string, string> = { HOME: '/home/alloy', EMPTY: '' }
const scope: Scope = {
  lookup: (name) => (name === 'secret' ? new Secret('s3cr3t') : undefined),
  env: (name) => ENV[name]
}
const run = (text: string): Value => evaluate(parseExpr(text, 'e.alloy'), scope)
const errorOf = (text: string): string => firstError(() => run(text))

describe('stdlib: environment and constants', () => {
  it('reads sys.env and the deprecated env from the injected environment', () => {
    assert.equal(run('sys.env("HOME")'), '/home/alloy')
    assert.equal(run('env("HOME") + "/x"'), '/home/alloy/x')
  })

  it('reads an unset variable as an empty string, as Go does', () => {
    assert.equal(run('sys.env("NOT_SET")'), '')
  })

  it('reports constants in Go terms and the version it was created with', () => {
    const lib = createStdlib({ version: 'v1.2.3', hostname: 'node-a' })
    const value = (text: string): Value => evaluate(parseExpr(text, 'e'), scope, lib)
    assert.equal(value('constants.version'), 'v1.2.3')
    assert.equal(value('constants.hostname'), 'node-a')
    assert.equal(run('constants.version'), 'v0.0.0')
    assert.ok(!['x64', 'win32'].includes(run('constants.arch') as string) && !['win32'].includes(run('constants.os') as string))
  })

  it('exposes the namespaces and deprecated aliases as own properties', () => {
    for (const name of ['sys', 'constants', 'array', 'convert', 'encoding', 'string', 'file', 'coalesce', 'json_path', 'env', 'concat', 'json_decode', 'nonsensitive', 'format', 'join', 'replace', 'split', 'to_lower', 'to_upper', 'trim', 'trim_prefix', 'trim_suffix', 'trim_space']) {
      assert.ok(Object.hasOwn(stdlib, name), name)
    }
  })
})

describe('stdlib: lists and coalesce', () => {
  it('concatenates lists with concat and array.concat', () => {
    assert.deepEqual(run('concat([1, 2], [], [3])'), [1, 2, 3])
    assert.deepEqual(run('array.concat([{a = 1}], [{b = 2}])'), [{ a: 1 }, { b: 2 }].map((o) => Object.assign(Object.create(null), o)))
    assert.deepEqual(run('concat()'), [])
  })

  it('reports a concat argument that is not a list at that argument', () => {
    assert.equal(errorOf('concat([1], "x")'), '1:13: concat: expected array for argument 2, got string')
  })

  const coalesceCases: ReadonlyArray<readonly [string, Value]> = [
    ['coalesce(null, "", "a", "b")', 'a'],
    ['coalesce(0, 5)', 5],
    ['coalesce([], {}, [1])', [1]],
    ['coalesce(false, true)', true],
    ['coalesce("", 0)', 0],
    ['coalesce(null)', null],
    ['coalesce()', null]
  ]
  for (const [text, expected] of coalesceCases) {
    it(`${text} gives ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(run(text), expected)
    })
  }
})

describe('stdlib: encoding', () => {
  it('decodes JSON into values with null-prototype objects', () => {
    const v = run('json_decode("{\\"a\\": [1, true, null], \\"__proto__\\": \\"x\\"}")') as Record<string, Value>
    assert.equal(Object.getPrototypeOf(v), null)
    assert.deepEqual(v.a, [1, true, null])
    assert.equal(v.__proto__, 'x')
    assert.deepEqual(run('encoding.from_json("[1.5]")'), [1.5])
  })

  it('points a JSON decode error at the call and says why', () => {
    const file = parse('x = 1\ny = [\n  json_decode("{\\"a\\": }"),\n]\n', 'cfg.alloy')
    const expr = (file.body[1] as Attribute).value
    const message = firstError(() => evaluate(expr, scope))
    assert.match(message, /^3:3: json_decode: invalid JSON: .+/)
  })

  it('encodes values as JSON and refuses to encode secrets', () => {
    assert.equal(run('encoding.to_json({a = [1, "x"], b = null})'), '{"a":[1,"x"],"b":null}')
    assert.equal(errorOf('encoding.to_json({a = secret})'), '1:18: encoding.to_json: cannot encode a secret as JSON')
  })

  it('round-trips base64 and rejects malformed input', () => {
    assert.equal(run('encoding.to_base64("tangerine")'), 'dGFuZ2VyaW5l')
    assert.equal(run('encoding.from_base64("dGFuZ2VyaW5l")'), 'tangerine')
    assert.equal(run('encoding.from_URLbase64(encoding.to_URLbase64("a?b>"))'), 'a?b>')
    assert.equal(errorOf('encoding.from_base64("@@")'), '1:22: encoding.from_base64: illegal base64 data')
  })

  it('escapes and unescapes URL query text like Go', () => {
    assert.equal(run('encoding.url_encode("a b&c=d/é!")'), 'a+b%26c%3Dd%2F%C3%A9%21')
    assert.equal(run('encoding.url_decode("a+b%26c%3Dd%2F%C3%A9%21")'), 'a b&c=d/é!')
    assert.equal(errorOf('encoding.url_decode("%zz")'), '1:21: encoding.url_decode: invalid URL escape "%zz"')
  })

  it('selects values with json_path', () => {
    const json = '"{\\"a\\": {\\"b\\": [{\\"c\\": 1}, {\\"c\\": 2}]}}"'
    assert.deepEqual(run(`json_path(${json}, "$.a.b[0].c")`), [1])
    assert.deepEqual(run(`json_path(${json}, "$.a.b[*].c")`), [1, 2])
    assert.deepEqual(run(`json_path(${json}, "$..c")`), [1, 2])
    assert.deepEqual(run(`json_path(${json}, "$.missing")`), [])
  })
})

describe('stdlib: strings, secrets and paths', () => {
  it('formats with %s, %d, %v, %q and %%', () => {
    assert.equal(run('string.format("%s:%d %v %q 100%%", "host", 8080, true, "a\\"b")'), 'host:8080 true "a\\"b" 100%')
    assert.equal(run('format("%s", "old alias")'), 'old alias')
  })

  it('reports format verbs that do not fit their argument, and missing arguments', () => {
    assert.equal(errorOf('string.format("%d", "x")'), '1:21: string.format: %d cannot format a value of type string')
    assert.equal(errorOf('string.format("%s %s", "x")'), '1:1: string.format: missing argument for %s in format string')
  })

  it('joins, splits, replaces and changes case', () => {
    assert.equal(run('string.join(["a", "b"], ",")'), 'a,b')
    assert.deepEqual(run('string.split("a,b,,c", ",")'), ['a', 'b', '', 'c'])
    assert.equal(run('string.replace("a.b.c", ".", "$&")'), 'a$&b$&c')
    assert.equal(run('to_upper("abc") + string.to_lower("DEF")'), 'ABCdef')
  })

  it('trims like Go', () => {
    assert.equal(run('string.trim("xxhixx", "x")'), 'hi')
    assert.equal(run('string.trim_prefix("prefix-body", "prefix-")'), 'body')
    assert.equal(run('string.trim_suffix("body.alloy", ".alloy")'), 'body')
    assert.equal(run('string.trim_space("\\t hi \\n")'), 'hi')
  })

  it('reports wrong argument counts at the call and wrong types at the argument', () => {
    assert.equal(errorOf('string.join(["a"])'), '1:1: string.join: expected 2 arguments, got 1')
    // A number converts to a string, as in Alloy (`join([0, 0, 1], ", ")`); other types do not.
    assert.equal(errorOf('string.join(["a", true], ",")'), '1:13: string.join: expected element 1 to be string, got bool')
    assert.equal(errorOf('string.to_upper(secret)'), '1:17: string.to_upper: expected string for argument 1, got secret')
  })

  it('reveals a secret only through convert.nonsensitive', () => {
    assert.equal(run('convert.nonsensitive(secret)'), 's3cr3t')
    assert.equal(run('nonsensitive("plain")'), 'plain')
    assert.equal(errorOf('nonsensitive(1)'), '1:14: nonsensitive: expected secret for argument 1, got number')
  })

  it('joins file paths like Go filepath.Join', () => {
    assert.equal(run('file.path_join("a", "", "b/", "../c")'), 'a/c')
    assert.equal(run('file.path_join()'), '')
  })
})
