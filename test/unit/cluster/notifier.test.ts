import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ChangeNotifier } from '../../../src/cluster/notifier.js'
import type { NotifierTimer } from '../../../src/cluster/notifier.js'

/** A timer the test moves by hand. */
function manualTimer(): NotifierTimer & { advance(ms: number): void } {
  let now = 0
  const due: { at: number; fn: () => void; cancelled: boolean }[] = []
  return {
    now: () => now,
    after: (ms, fn) => {
      const entry = { at: now + ms, fn, cancelled: false }
      due.push(entry)
      return () => {
        entry.cancelled = true
      }
    },
    advance(ms) {
      now += ms
      for (const entry of due.splice(0)) {
        if (entry.cancelled) continue
        if (entry.at <= now) entry.fn()
        else due.push(entry)
      }
    }
  }
}

describe('ChangeNotifier', () => {
  it('never calls a listener from inside notify, and folds the notices of one turn into one', async () => {
    const notifier = new ChangeNotifier(0)
    after(() => notifier.close())
    let calls = 0
    notifier.subscribe(() => calls++)
    notifier.notify()
    notifier.notify()
    notifier.notify()
    assert.equal(calls, 0, 'the caller (the gossip validator) is not held up by a re-sync')
    await nextTurn()
    await nextTurn()
    assert.equal(calls, 1)
  })

  it('tells nothing once closed, even of a change noticed just before', async () => {
    const notifier = new ChangeNotifier(0)
    let calls = 0
    notifier.subscribe(() => calls++)
    notifier.notify()
    notifier.close()
    await nextTurn()
    await nextTurn()
    assert.equal(calls, 0)
  })

  it('keeps telling the other listeners when one throws, and reports the error', async () => {
    const errors: unknown[] = []
    const notifier = new ChangeNotifier(0, (err) => errors.push(err))
    after(() => notifier.close())
    let calls = 0
    notifier.subscribe(() => {
      throw new Error('listener bug')
    })
    notifier.subscribe(() => calls++)
    notifier.notify()
    await nextTurn()
    await nextTurn()
    assert.equal(calls, 1)
    assert.equal(errors.length, 1)
  })

  it('tells the first change at once, folds the rest of its window into one notice at the end, and tells a change after the window on its own', async () => {
    const timer = manualTimer()
    const notifier = new ChangeNotifier(1_000, () => undefined, timer)
    after(() => notifier.close())
    let calls = 0
    notifier.subscribe(() => calls++)
    notifier.notify()
    await nextTurn()
    assert.equal(calls, 1, 'the first change, at once')
    for (const at of [100, 400, 700]) {
      timer.advance(at - timer.now())
      notifier.notify()
    }
    await nextTurn()
    assert.equal(calls, 1, 'three changes within the window: held')
    timer.advance(1_000 - timer.now())
    assert.equal(calls, 2, 'the three told in one notice at the end of the window')
    timer.advance(1_500)
    notifier.notify()
    assert.equal(calls, 2, 'never from inside notify')
    await nextTurn()
    assert.equal(calls, 3, 'a change after the window: its own notice, on the next turn')
    timer.advance(100)
    notifier.notify()
    await nextTurn()
    assert.equal(calls, 3, 'the next change falls in the new window: held')
    timer.advance(900)
    assert.equal(calls, 4, 'and told at its end')
  })

  it('tells an urgent change at once, in place of a notice waiting for the window to end', async () => {
    const timer = manualTimer()
    const notifier = new ChangeNotifier(1_000, () => undefined, timer)
    after(() => notifier.close())
    let calls = 0
    notifier.subscribe(() => calls++)
    notifier.notify()
    await nextTurn()
    timer.advance(100)
    notifier.notify()
    notifier.notify(true)
    await nextTurn()
    assert.equal(calls, 2, 'told on the next turn, not 900 ms later')
    timer.advance(1_000)
    assert.equal(calls, 2, 'the held notice was folded into the urgent one')
  })
})
