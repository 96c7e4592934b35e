import { before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { createKeyHasher } from '../../../../../src/util/label-hash.js'
import type { KeyHasher } from '../../../../../src/util/label-hash.js'
import type { ScrapeArguments } from '../../../../../src/components/pyroscope/scrape/arguments.js'
import { ScrapeComponent } from '../../../../../src/components/pyroscope/scrape/component.js'
import type { ScrapeDebugInfo } from '../../../../../src/components/pyroscope/scrape/component.js'
import type { ClusterOwnership } from '../../../../../src/cluster/index.js'
import type { ComponentOptions } from '../../../../../src/runtime/component.js'
import { silentLogger } from '../../../../../src/util/logger.js'
import { argumentsOf, profilingOnly } from '../../../../helpers/config.js'
import { ManualClock } from '../../../../helpers/fake-clock.js'
import { waitFor } from '../../../../helpers/wait-for.js'

const ID = 'pyroscope.scrape.s'

function clusteredArgs(enabled = true): ScrapeArguments {
  return argumentsOf<ScrapeArguments>(
    `
pyroscope.scrape "s" {
  targets    = [{"__address__" = "127.0.0.1:1001", "service_name" = "a"}, {"__address__" = "127.0.0.1:1002", "__scheme__" = "ftp"}]
  forward_to = []
  clustering {
    enabled = ${enabled}
  }
${profilingOnly('goroutine')}
}
`,
    ID
  )
}

/** A cluster whose view the test sets; it notifies only the listeners subscribed at the time. */
class FakeCluster implements ClusterOwnership {
  ownsEverything = false
  readonly callers = new Set<string | undefined>()
  /** How many keys each plan was asked for, in order. */
  readonly planned: number[] = []
  readonly listeners = new Set<() => void>()
  plan(keys: readonly bigint[], callerId?: string) {
    this.callers.add(callerId)
    this.planned.push(keys.length)
    const owns = this.ownsEverything
    return { wants: () => owns, owns: () => owns }
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
  change(ownsEverything: boolean): void {
    this.ownsEverything = ownsEverything
    for (const l of this.listeners) l()
  }
}

describe('ScrapeComponent', () => {
  let keyHasher: KeyHasher
  before(async () => {
    keyHasher = await createKeyHasher()
  })

  function build(cluster: FakeCluster, args = clusteredArgs()): ScrapeComponent {
    const options: ComponentOptions = {
      id: ID,
      label: 's',
      logger: silentLogger(),
      metrics: new Registry(),
      clock: new ManualClock(1_000_000),
      storagePath: 'data',
      services: { keyHasher, clusterOwnership: cluster },
      onStateChange: () => undefined
    }
    return new ScrapeComponent(options, args)
  }

  it('applies a cluster change that happened between construction and run', async () => {
    const cluster = new FakeCluster()
    const component = build(cluster)
    const info = () => component.debugInfo() as ScrapeDebugInfo
    assert.equal(info().active_loops, 0, 'not owned when built')
    cluster.change(true) // nobody is subscribed yet
    const stop = new AbortController()
    const done = component.run(stop.signal)
    await waitFor(() => info().active_loops === 1, { timeoutMs: 2_000, what: 'the change applied at run' })
    cluster.change(false)
    assert.equal(info().active_loops, 0, 'later changes arrive through the subscription')
    stop.abort()
    await done
    assert.equal(cluster.listeners.size, 0, 'unsubscribed on stop')
    assert.deepEqual([...cluster.callers], [ID], 'plans are asked for with the component id')
  })

  it('follows a reload that turns clustering on, then off: subscribes to the cluster, then unsubscribes', async () => {
    const cluster = new FakeCluster()
    const component = build(cluster, clusteredArgs(false))
    const info = () => component.debugInfo() as ScrapeDebugInfo
    const stop = new AbortController()
    const done = component.run(stop.signal)
    assert.equal(info().active_loops, 1, 'not clustered: the target is local')
    assert.equal(cluster.listeners.size, 0, 'not subscribed while opted out')

    component.update(clusteredArgs(true))
    assert.equal(info().active_loops, 0, 'clustered: the cluster gives this node nothing yet')
    assert.equal(cluster.listeners.size, 1, 'subscribed once opted in')
    cluster.change(true)
    assert.equal(info().active_loops, 1, 'a membership change after the reload takes effect')
    cluster.change(false)
    assert.equal(info().active_loops, 0)

    component.update(clusteredArgs(false))
    assert.equal(cluster.listeners.size, 0, 'unsubscribed once opted out')
    assert.equal(info().active_loops, 1, 'local again')
    assert.equal(cluster.planned.at(-1), 0, 'what the cluster counted for it is released')

    component.update(clusteredArgs(true))
    cluster.change(true)
    assert.equal(info().active_loops, 1, 'opted in again: changes take effect again')
    stop.abort()
    await done
    assert.equal(cluster.listeners.size, 0, 'unsubscribed on stop')
    component.update(clusteredArgs(true))
    assert.equal(cluster.listeners.size, 0, 'an update after the stop does not subscribe')
  })

  it('shows dropped targets with their reason in its debug info', () => {
    const info = build(new FakeCluster()).debugInfo() as ScrapeDebugInfo
    assert.equal(info.dropped_targets.length, 1)
    assert.equal(info.dropped_targets[0]?.labels['__scheme__'], 'ftp')
    assert.match(info.dropped_targets[0]?.reason ?? '', /scheme/)
    assert.equal(info.delta_state_bytes, 0)
  })
})
