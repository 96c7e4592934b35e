import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { collectReferences, parse, parseExpr, walkStatements } from '../../../src/syntax/index.js'

const refs = (text: string): string[] => collectReferences(parseExpr(text, 'e')).map((r) => r.path.join('.'))

describe('collectReferences', () => {
  it('returns each maximal chain of names once, in source order', () => {
    assert.deepEqual(refs('concat(discovery.http.x.targets, [{a = local.file.y.content}])'), [
      'concat',
      'discovery.http.x.targets',
      'local.file.y.content'
    ])
  })

  it('counts the callee of a call and stops a chain at an index', () => {
    assert.deepEqual(refs('sys.env("A") + a.b[c.d].e'), ['sys.env', 'a.b', 'c.d'])
  })

  it('finds references inside operators, parentheses and objects but not in literals or keys', () => {
    assert.deepEqual(refs('!(x.y) || {k = z, "w" = 1}.k == "q.r"'), ['x.y', 'z'])
  })

  it('spans a reference from its first name to its last', () => {
    const [ref] = collectReferences(parseExpr('[  pyroscope.write.local.receiver ]', 'e'))
    assert.deepEqual([ref?.span.start.column, ref?.span.end.column], [4, 34])
  })
})

describe('walkStatements', () => {
  it('visits blocks before their bodies, with the enclosing blocks', () => {
    const file = parse('a = 1\nb {\n  c {\n    d = 2\n  }\n}\n', 'f')
    const seen: string[] = []
    walkStatements(file.body, (s, path) => {
      const name = s.kind === 'block' ? s.name.join('.') : s.name
      seen.push([...path.map((p) => (p.kind === 'block' ? p.name.join('.') : p.name)), name].join('/'))
    })
    assert.deepEqual(seen, ['a', 'b', 'b/c', 'b/c/d'])
  })
})
