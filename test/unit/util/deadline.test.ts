import { getEventListeners } from 'node:events'
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Deadline } from '../../../src/util/deadline.js'
import type { DeadlineTimers } from '../../../src/util/deadline.js'

/** Timers that fire only when the test says so, and tell which are still armed. */
class FakeTimers implements DeadlineTimers {
  readonly armed = new Map<number, { readonly callback: () => void; readonly ms: number }>()
  #next = 0

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = ++this.#next
    this.armed.set(handle, { callback, ms })
    return handle
  }

  clearTimeout(handle: unknown): void {
    this.armed.delete(handle as number)
  }

  fireAll(): void {
    for (const [handle, { callback }] of [...this.armed]) {
      this.armed.delete(handle)
      callback()
    }
  }
}

describe('Deadline', () => {
  it('arms one timer for the given time and aborts at it with a reason that names the deadline', () => {
    const timers = new FakeTimers()
    const deadline = new Deadline(new AbortController().signal, 1500, { timers })
    assert.deepEqual([...timers.armed.values()].map((t) => t.ms), [1500])
    assert.equal(deadline.signal.aborted, false)
    timers.fireAll()
    assert.equal(deadline.signal.aborted, true)
    assert.equal(deadline.expired, true)
    const reason = deadline.signal.reason as DOMException
    assert.equal(reason.name, 'TimeoutError')
    assert.match(reason.message, /deadline of 1500 ms exceeded/)
  })

  it('aborts with the reason the caller gives', () => {
    const timers = new FakeTimers()
    const given = new Error('scrape timed out after 2s')
    const deadline = new Deadline(new AbortController().signal, 2000, { timers, reason: () => given })
    timers.fireAll()
    assert.equal(deadline.signal.reason, given)
  })

  it('follows the parent signal, with its reason, and is then not expired', () => {
    const timers = new FakeTimers()
    const parent = new AbortController()
    const deadline = new Deadline(parent.signal, 1000, { timers })
    const stop = new Error('stopping')
    parent.abort(stop)
    assert.equal(deadline.signal.aborted, true)
    assert.equal(deadline.signal.reason, stop)
    timers.fireAll()
    assert.equal(deadline.expired, false)
    assert.equal(deadline.signal.reason, stop)
  })

  it('starts aborted when the parent already is', () => {
    const parent = new AbortController()
    parent.abort(new Error('gone'))
    const deadline = new Deadline(parent.signal, 1000, { timers: new FakeTimers() })
    assert.equal(deadline.signal.aborted, true)
    assert.equal((deadline.signal.reason as Error).message, 'gone')
    assert.equal(deadline.expired, false)
  })

  it('removes its timer and its listener on the parent when disposed', () => {
    const timers = new FakeTimers()
    const parent = new AbortController()
    const deadlines = Array.from({ length: 3 }, () => new Deadline(parent.signal, 1000, { timers }))
    assert.equal(getEventListeners(parent.signal, 'abort').length, 3)
    assert.equal(timers.armed.size, 3)
    for (const deadline of deadlines) deadline.dispose()
    assert.equal(getEventListeners(parent.signal, 'abort').length, 0)
    assert.equal(timers.armed.size, 0)
    parent.abort()
    assert.ok(deadlines.every((d) => !d.signal.aborted), 'a disposed deadline no longer follows its parent')
  })

  it('uses real timers by default', async () => {
    const deadline = new Deadline(new AbortController().signal, 1)
    await new Promise<void>((resolve) => deadline.signal.addEventListener('abort', () => resolve(), { once: true }))
    assert.equal(deadline.expired, true)
    deadline.dispose()
  })
})
