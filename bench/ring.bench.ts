/**
 * Ring figures: balance at 10 members × 10,000 targets, keys moved when an 11th member joins (vs. the
 * ideal 1/11), time to assign 100,000 targets, to build the ring, and to plan every epoch of a cluster of 24
 * starting at once. Keys come from realistic target label sets hashed exactly as the agent hashes them.
 */
import { performance } from 'node:perf_hooks'
import { createKeyHasher, type KeyHasher } from '../src/util/label-hash.js'
import {
  assignOwners,
  buildRing,
  DEFAULT_LOAD_FACTOR,
  ownedCounts,
  type RingMember,
  type TokenRing
} from '../src/cluster/ring.js'
import { OwnershipPlanner } from '../src/cluster/ownership.js'
import type { OwnershipMember } from '../src/cluster/ownership.js'
import type { Benchmark, BenchResult } from './types.js'

const BALANCE_GOAL = 1.05
const MOVEMENT_GOAL = 1.1

function members(count: number): RingMember[] {
  return Array.from({ length: count }, (_, i) => ({ name: `shardscope-${i}.pyroscope.svc:12345`, state: 'participant' }))
}

/** Pod-like targets: address on a /16, a port per workload, a service name, discovery meta labels. */
function targetKeys(hasher: KeyHasher, count: number): bigint[] {
  return Array.from({ length: count }, (_, i) =>
    hasher.targetKey({
      __address__: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:${6060 + (i % 5)}`,
      service_name: `team-${i % 13}/service-${i % 211}`,
      namespace: `ns-${i % 17}`,
      __meta_kubernetes_pod_name: `pod-${i}`
    })
  )
}

function maxOverMean(counts: Map<string, number>, keyCount: number): number {
  return Math.max(...counts.values()) / (keyCount / counts.size)
}

/** Median wall time of `runs` calls, in ms. */
function medianMs(runs: number, work: () => unknown): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    work()
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] as number
}

function movedFraction(keys: readonly bigint[], before: TokenRing, after: TokenRing, joiner: string) {
  const old = assignOwners(keys, before)
  const now = assignOwners(keys, after)
  let moved = 0
  let betweenOldMembers = 0
  for (const key of keys) {
    if (old.get(key) === now.get(key)) continue
    moved++
    if (now.get(key) !== joiner) betweenOldMembers++
  }
  return { moved: moved / keys.length, betweenOldMembers: betweenOldMembers / keys.length }
}

export const run: Benchmark = async () => {
  const hasher = await createKeyHasher()
  const ten = buildRing(members(10), hasher)
  const eleven = buildRing(members(11), hasher)
  const keys = targetKeys(hasher, 10_000)

  const balance = maxOverMean(ownedCounts(ten, keys), keys.length)
  const plainBalance = maxOverMean(ownedCounts(ten, keys, Number.POSITIVE_INFINITY), keys.length)
  const { moved, betweenOldMembers } = movedFraction(keys, ten, eleven, 'shardscope-10.pyroscope.svc:12345')
  const movedRatio = moved / (1 / 11)

  const manyKeys = targetKeys(hasher, 100_000)
  const assignMs = medianMs(5, () => assignOwners(manyKeys, ten))
  const hashMs = medianMs(3, () => targetKeys(hasher, 100_000))
  const buildMs = medianMs(5, () => buildRing(members(10), hasher))
  // A cluster of 24 started at once: each member announced a hand-off still ahead, one epoch each, and a
  // fresh planner (member tokens already hashed) plans them all; the floor is one build of the whole ring.
  const forming: OwnershipMember[] = members(24).map((m, i) => ({ name: m.name, state: 'participant', handoffAt: 10_000 + 250 * i }))
  const formingKeys = targetKeys(hasher, 48)
  const planForming = (keyList: readonly bigint[]): void => {
    new OwnershipPlanner(hasher).plan({ self: forming[0]?.name ?? '', members: forming, ready: true, nowMs: 9_000 }, keyList)
  }
  const build24Ms = medianMs(5, () => buildRing(members(24), hasher))
  const formingMs = medianMs(5, () => planForming(formingKeys))
  const formingManyMs = medianMs(3, () => planForming(keys))

  const results: BenchResult[] = [
    {
      name: `ring max/mean load, 10 members x 10,000 targets (bounded loads ${DEFAULT_LOAD_FACTOR})`,
      value: round(balance),
      unit: 'ratio',
      goal: `<= ${BALANCE_GOAL}`,
      pass: balance <= BALANCE_GOAL
    },
    { name: 'ring max/mean load without the bound (plain consistent hashing)', value: round(plainBalance), unit: 'ratio' },
    {
      name: 'ring fraction of keys moved when an 11th member joins (floor: ideal 1/11)',
      value: round(moved),
      unit: 'fraction',
      floor: round(1 / 11),
      ratio: round(movedRatio),
      goal: `<= ${MOVEMENT_GOAL}x ideal`,
      pass: movedRatio <= MOVEMENT_GOAL
    },
    { name: 'ring keys moved between existing members on that join', value: round(betweenOldMembers), unit: 'fraction' },
    { name: 'ring assign 100,000 targets to 10 members', value: round(assignMs), unit: 'ms' },
    { name: 'ring hash 100,000 target label sets (xxhash64 keys)', value: round(hashMs), unit: 'ms' },
    { name: 'ring build, 10 members', value: round(buildMs), unit: 'ms' },
    {
      name: 'ring first plan of a forming cluster, 24 pending hand-offs, 48 targets (floor: one build of 24 members)',
      value: round(formingMs),
      unit: 'ms',
      floor: round(build24Ms),
      ratio: round(formingMs / build24Ms)
    },
    { name: 'ring first plan of a forming cluster, 24 pending hand-offs, 10,000 targets', value: round(formingManyMs), unit: 'ms' }
  ]
  return results
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}
