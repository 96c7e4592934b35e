import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { maskSecrets, renderDiagnostic } from '../../../src/cli/snippet.js'
import type { Diagnostic } from '../../../src/syntax/diagnostics.js'

function at(line: number, column: number, endColumn: number, message = 'oops', endLine = line): Diagnostic {
  return { span: { file: 'c.alloy', start: { offset: 0, line, column }, end: { offset: 0, line: endLine, column: endColumn } }, message }
}

describe('a diagnostic with its source line and a caret', () => {
  const text = 'pyroscope.scrape "s" {\n  scrape_intervall = "10s"\n}\n'

  it('puts the caret under the span', () => {
    assert.deepEqual(renderDiagnostic(at(2, 3, 19), text), ['c.alloy:2:3: oops', '  2 |   scrape_intervall = "10s"', '    |   ^^^^^^^^^^^^^^^^'])
  })

  it('marks one character for an empty span, and to the end of the line for a span over several lines', () => {
    assert.equal(renderDiagnostic(at(3, 1, 1), text)[2], '    | ^')
    assert.equal(renderDiagnostic(at(2, 22, 2, 'x', 3), text)[2], '    |                      ^^^^^')
  })

  it('follows tabs, shows control characters as ?, and CRLF endings are not shown', () => {
    assert.deepEqual(renderDiagnostic(at(1, 2, 3), '\tx = 1\r\n').slice(1), ['  1 |     x = 1', '    |     ^'])
    assert.equal(renderDiagnostic(at(1, 1, 2), 'a\u001b[31m')[1], '  1 | a?[31m')
  })

  it('cuts a long line to a window around the column', () => {
    const long = `${'a'.repeat(1000)}X${'b'.repeat(1000)}`
    const [, line, caret] = renderDiagnostic(at(1, 1001, 1002), long)
    assert.ok((line ?? '').length < 140, line)
    assert.equal((line ?? '').indexOf('X'), (caret ?? '').indexOf('^'))
  })

  it('prints the head line alone without the source or past its end', () => {
    assert.deepEqual(renderDiagnostic(at(9, 1, 2), text), ['c.alloy:9:1: oops'])
    assert.deepEqual(renderDiagnostic(at(1, 1, 2), undefined), ['c.alloy:1:1: oops'])
  })
})

describe('secrets in a source line', () => {
  it('masks the value of a credential-like attribute or key, a URL password and a bearer token, keeping columns', () => {
    const cases: [string, string][] = [
      ['  passwrod = "s3cr3t-value"', '  passwrod = "************"'],
      ['  bearer_token = "abc.def"', '  bearer_token = "*******"'],
      ['  headers = { "X-Api-Key" = "k-123", "X-Team" = "shop" }', '  headers = { "X-Api-Key" = "*****", "X-Team" = "shop" }'],
      ['  url = "https://123456:glc_tok3n@host/"', '  url = "https://123456:*********@host/"'],
      ['  headers = { "Authorization" = "Bearer abcdef123" }', '  headers = { "Authorization" = "Bearer *********" }'],
      ['  scrape_intervall = "10s"', '  scrape_intervall = "10s"']
    ]
    for (const [line, masked] of cases) {
      assert.equal(maskSecrets(line), masked)
      assert.equal(maskSecrets(line).length, line.length)
    }
  })

  it('never prints the secret of a misspelt password attribute, and the caret stays under it', () => {
    const text = 'basic_auth {\n  passwrod = "s3cr3t"\n}\n'
    const lines = renderDiagnostic(at(2, 3, 11), text)
    assert.ok(!lines.join('\n').includes('s3cr3t'))
    assert.deepEqual(lines.slice(1), ['  2 |   passwrod = "******"', '    |   ^^^^^^^^'])
  })
})
