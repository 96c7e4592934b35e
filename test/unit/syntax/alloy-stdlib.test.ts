/**
 * The standard library against test/fixtures/alloy/stdlib-cases.json: Alloy's own stdlib test tables
 * (ported, see the fixture's note) and the Go semantics Alloy inherits (fmt, strconv, strings, json).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DiagnosticError, evaluate, parseExpr } from '../../../src/syntax/index.js'
import type { Scope, Value } from '../../../src/syntax/index.js'
import { REPO_ROOT } from '../../helpers/cli.js'

interface Fixture {
  cases: { name: string; source: string; expr: string; expect: unknown }[]
  errors: { expr: string; message: string; source: string }[]
}

const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'alloy', 'stdlib-cases.json'), 'utf8')) as Fixture
const ENV: Record<string, string> = { TEST_VAR: 'Hello!', TEST_VAR2: 'Hello!' }
const scope: Scope = { lookup: () => undefined, env: (name) => ENV[name] }

/** Values as plain JSON data (objects lose their null prototype) for deepEqual against the fixture. */
function plain(v: Value): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown
}

describe('stdlib: Alloy test tables and Go semantics', () => {
  for (const c of fixture.cases) {
    it(`${c.source}: ${c.name}`, () => {
      const got = evaluate(parseExpr(c.expr, 'e.alloy'), scope)
      if (typeof c.expect === 'number') assert.ok(typeof got === 'number' && Math.abs(got - c.expect) < 1e-9, `${String(got)} ≠ ${c.expect}`)
      else assert.deepEqual(plain(got), c.expect)
    })
  }
  for (const e of fixture.errors) {
    it(`${e.source}: refuses ${e.expr}`, () => {
      assert.throws(
        () => evaluate(parseExpr(e.expr, 'e.alloy'), scope),
        (err: unknown) => err instanceof DiagnosticError && err.message.includes(e.message)
      )
    })
  }
})
