import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ChangeNotifier } from '../../../src/cluster/notifier.js'

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
})
