import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { BodyTooLargeError, readBodyLimited } from '../../../src/pprof/index.js'

const CHUNK = 64 * 1024

/** A lazy stream of `total` bytes that counts how many it produced. */
function countingStream(total: number): { stream: Readable; produced: () => number } {
  let produced = 0
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (produced >= total) {
        this.push(null)
        return
      }
      const size = Math.min(CHUNK, total - produced)
      produced += size
      this.push(Buffer.alloc(size, 1))
    }
  })
  return { stream, produced: () => produced }
}

describe('readBodyLimited', () => {
  it('returns the whole body when it fits', async () => {
    const { stream } = countingStream(3 * CHUNK + 7)
    const body = await readBodyLimited(stream, 1024 * 1024)
    assert.equal(body.length, 3 * CHUNK + 7)
  })

  it('accepts a body of exactly the limit', async () => {
    const { stream } = countingStream(2 * CHUNK)
    assert.equal((await readBodyLimited(stream, 2 * CHUNK)).length, 2 * CHUNK)
  })

  it('stops reading soon after the limit and destroys the stream', async () => {
    const total = 1024 * 1024 * 1024
    const limit = 256 * 1024
    const { stream, produced } = countingStream(total)
    await assert.rejects(readBodyLimited(stream, limit), (error: unknown) => {
      assert.ok(error instanceof BodyTooLargeError)
      assert.equal(error.code, 'SCRAPE_BODY_TOO_LARGE')
      assert.equal(error.message, `response body exceeds the limit of ${limit} bytes`)
      return true
    })
    assert.ok(stream.destroyed, 'the stream is destroyed')
    assert.ok(produced() < limit + 4 * CHUNK, `read ${produced()} bytes of ${total}`)
  })

  it('stops with the abort reason when the signal fires', async () => {
    const stream = new Readable({ read() {} })
    stream.push(Buffer.from('partial'))
    const controller = new AbortController()
    const reading = readBodyLimited(stream, 1024, controller.signal)
    controller.abort(new Error('deadline passed'))
    await assert.rejects(reading, /deadline passed/)
    assert.ok(stream.destroyed)
  })

  it('refuses at once when the signal has already fired', async () => {
    const { stream, produced } = countingStream(CHUNK)
    await assert.rejects(readBodyLimited(stream, CHUNK, AbortSignal.abort(new Error('stopped'))), /stopped/)
    assert.ok(produced() <= CHUNK)
    assert.ok(stream.destroyed)
  })
})
