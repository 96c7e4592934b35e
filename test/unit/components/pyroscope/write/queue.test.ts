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

describe('BoundedQueue.takeBatch', () => {
  it('takes the oldest items up to maxCount and leaves the rest queued', async () => {
    const q = new BoundedQueue<number>(10)
    for (const n of [1, 2, 3, 4, 5]) q.offer(n)
    assert.deepEqual(await q.takeBatch(3, Number.POSITIVE_INFINITY), [1, 2, 3])
    assert.equal(q.length, 2)
    assert.deepEqual(await q.takeBatch(3, Number.POSITIVE_INFINITY), [4, 5])
  })

  it('stops once the batch reaches maxBytes, still taking the item that crosses it', async () => {
    const q = new BoundedQueue<string>(10, (s) => s.length)
    for (const s of ['aaa', 'bbb', 'ccc', 'ddd']) q.offer(s)
    assert.deepEqual(await q.takeBatch(100, 7), ['aaa', 'bbb', 'ccc'])
    assert.deepEqual(q.drain(), ['ddd'])
  })

  it('sends an item larger than the byte budget alone', async () => {
    const q = new BoundedQueue<string>(10, (s) => s.length)
    q.offer('x'.repeat(10))
    q.offer('y')
    assert.deepEqual(await q.takeBatch(100, 5), ['x'.repeat(10)])
    assert.equal(q.length, 1)
  })

  it('counts no bytes without a size function', async () => {
    const q = new BoundedQueue<number>(5)
    for (const n of [1, 2, 3]) q.offer(n)
    assert.deepEqual(await q.takeBatch(100, 1), [1, 2, 3])
  })

  it('waits for a first item when empty', async () => {
    const q = new BoundedQueue<number>(5)
    let batch: number[] | undefined
    const taking = q.takeBatch(10, 100).then((b) => (batch = b))
    await Promise.resolve()
    assert.equal(batch, undefined)
    q.offer(7)
    await taking
    assert.deepEqual(batch, [7])
  })

  it('after close, hands out what is queued, then answers undefined', async () => {
    const q = new BoundedQueue<number>(5)
    q.offer(1)
    q.offer(2)
    q.close()
    assert.deepEqual(await q.takeBatch(10, 100), [1, 2])
    assert.equal(await q.takeBatch(10, 100), undefined)
  })

  it('releases a waiting batch with undefined on close', async () => {
    const q = new BoundedQueue<number>(5)
    const waiting = q.takeBatch(10, 100)
    q.close()
    assert.equal(await waiting, undefined)
  })
})
