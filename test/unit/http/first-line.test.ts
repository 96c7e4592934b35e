import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFirstLine } from '../../../src/http/first-line.js'
import type { ErrorBody } from '../../../src/http/first-line.js'

/** A body made of the given chunks (then, optionally, a failure), recording what was read and whether it was destroyed. */
function body(chunks: readonly string[], failure?: Error): ErrorBody & { readonly pulled: () => number; readonly destroyed: () => boolean } {
  let pulled = 0
  let destroyed = false
  return {
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        pulled++
        yield Buffer.from(chunk)
      }
      if (failure !== undefined) throw failure
    },
    destroy: () => {
      destroyed = true
    },
    pulled: () => pulled,
    destroyed: () => destroyed
  }
}

describe('readFirstLine', () => {
  it('returns the first line with content, trimmed, and destroys the body', async () => {
    const b = body(['\r\n  invalid_argument: bad label  \r\n', 'second line\n'])
    assert.deepEqual(await readFirstLine(b, { maxBytes: 4096 }), { line: 'invalid_argument: bad label', readError: undefined })
    assert.equal(b.destroyed(), true)
  })

  it('stops reading once the first line is complete', async () => {
    const b = body(['first', ' line\nsecond', 'never read'])
    assert.equal((await readFirstLine(b, { maxBytes: 4096 })).line, 'first line')
    assert.equal(b.pulled(), 2)
  })

  it('reads past leading blank lines', async () => {
    const b = body(['\n', '\n', 'the reason\n'])
    assert.equal((await readFirstLine(b, { maxBytes: 4096 })).line, 'the reason')
  })

  it('reads at most maxBytes and cuts the line there', async () => {
    const b = body(['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)])
    assert.equal((await readFirstLine(b, { maxBytes: 15 })).line, `${'a'.repeat(10)}${'b'.repeat(5)}`)
    assert.equal(b.pulled(), 2)
    assert.equal(b.destroyed(), true)
  })

  it('returns what came before a failed read, with the failure', async () => {
    const failure = new Error('socket hang up')
    const b = body(['partial reason'], failure)
    assert.deepEqual(await readFirstLine(b, { maxBytes: 4096 }), { line: 'partial reason', readError: failure })
    assert.equal(b.destroyed(), true)
  })

  it('stops between chunks when its signal aborts', async () => {
    const stop = new AbortController()
    stop.abort(new Error('stopping'))
    const result = await readFirstLine(body(['never shown\n']), { maxBytes: 4096, signal: stop.signal })
    assert.equal(result.line, '')
    assert.equal((result.readError as Error).message, 'stopping')
  })

  it('answers an empty line for an empty body', async () => {
    assert.deepEqual(await readFirstLine(body([]), { maxBytes: 4096 }), { line: '', readError: undefined })
  })
})
