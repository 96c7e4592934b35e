import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { BoundedQueue } from '../../../../../src/components/pyroscope/write/queue.js'

describe('BoundedQueue', () => {
  it('refuses items beyond its capacity and keeps FIFO order across wrap-around', () => {
    const q = new BoundedQueue<number>(3)
    assert.deepEqual([1, 2, 3, 4].map((n) => q.offer(n)), [true, true, true, false])
    assert.equal(q.poll(), 1)
    assert.equal(q.offer(5), true)
    assert.deepEqual(q.drain(), [2, 3, 5])
    assert.equal(q.length, 0)
  })

  it('hands an item straight to a waiting take', async () => {
    const q = new BoundedQueue<string>(1)
    const taken = q.take()
    assert.equal(q.offer('a'), true)
    assert.equal(await taken, 'a')
    assert.equal(q.length, 0)
  })

  it('after close, refuses new items, still hands out queued ones, then answers undefined', async () => {
    const q = new BoundedQueue<number>(2)
    q.offer(1)
    q.close()
    assert.equal(q.offer(2), false)
    assert.equal(await q.take(), 1)
    assert.equal(await q.take(), undefined)
  })

  it('releases waiting takers on close', async () => {
    const q = new BoundedQueue<number>(2)
    const waiting = q.take()
    q.close()
    assert.equal(await waiting, undefined)
  })

  it('rejects a capacity below 1', () => {
    assert.throws(() => new BoundedQueue(0), RangeError)
  })
})
