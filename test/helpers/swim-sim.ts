/**
 * A deterministic simulation of the membership protocol: the real `Swim` state machine of every member,
 * on one simulated clock and a simulated network with delay, loss, crashes (a process gone: its host
 * refuses connections), silent hosts (nothing answers) and partitions. Used by the membership tests and by
 * `npm run bench` (bench/membership-sim.bench.ts). Nothing here touches a socket or the wall clock.
 */
import { encodeMessage } from '../../src/cluster/swim/messages.js'
import type { MemberRecord, Message, PeerRef } from '../../src/cluster/swim/messages.js'
import { Joiner } from '../../src/cluster/swim/joiner.js'
import { Swim } from '../../src/cluster/swim/protocol.js'
import type { Destination, RequestResult, Scheduler, SwimOptions, SwimTransport } from '../../src/cluster/swim/protocol.js'
import type { RecordChange } from '../../src/cluster/swim/records.js'

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Event {
  readonly at: number
  readonly seq: number
  fn: (() => void) | undefined
}

/** A binary min-heap of events by (time, insertion order). */
class EventQueue {
  readonly #heap: Event[] = []
  #seq = 0

  push(at: number, fn: () => void): Event {
    const e: Event = { at, seq: this.#seq++, fn }
    const h = this.#heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(h[i] as Event, h[p] as Event)) break
      ;[h[i], h[p]] = [h[p] as Event, h[i] as Event]
      i = p
    }
    return e
  }

  pop(): Event | undefined {
    const h = this.#heap
    if (h.length === 0) return undefined
    const top = h[0] as Event
    const last = h.pop() as Event
    if (h.length > 0) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && before(h[l] as Event, h[m] as Event)) m = l
        if (r < h.length && before(h[r] as Event, h[m] as Event)) m = r
        if (m === i) break
        ;[h[i], h[m]] = [h[m] as Event, h[i] as Event]
        i = m
      }
    }
    return top
  }

  peekTime(): number | undefined {
    return this.#heap[0]?.at
  }
}

function before(a: Event, b: Event): boolean {
  return a.at !== b.at ? a.at < b.at : a.seq < b.seq
}

export interface SimNetworkOptions {
  readonly seed: number
  /** Probability that one message is lost. */
  readonly loss: number
  /** One-way delay: uniform in [min, max] ms. */
  readonly delayMinMs: number
  readonly delayMaxMs: number
  readonly swim?: Partial<SwimOptions>
  /** Count bytes on the wire (encodes every message: slower); `SimCluster.countBytes` switches it later. */
  readonly countBytes?: boolean
}

export interface SimNode {
  readonly id: string
  readonly swim: Swim
  readonly stopJoiner: () => void
  /** The process runs (a crashed one refuses connections while its host stays up). */
  up: boolean
  /** The host answers at all (a silent host loses everything). */
  hostUp: boolean
  group: number
  received: number
  receivedBytes: number
  /** When this node first saw each change of each member: `${change}:${id}` → time. */
  readonly seen: Map<string, number>
}

export type ChangeListener = (observer: string, change: RecordChange, record: MemberRecord, at: number) => void

export class SimCluster {
  readonly nodes = new Map<string, SimNode>()
  readonly #queue = new EventQueue()
  readonly #options: SimNetworkOptions
  readonly #random: () => number
  readonly #listeners: ChangeListener[] = []
  #now = 1_000_000
  #counter = 0
  /** Whether bytes on the wire are counted now. */
  countBytes: boolean

  constructor(options: SimNetworkOptions) {
    this.#options = options
    this.countBytes = options.countBytes ?? false
    this.#random = seededRandom(options.seed)
  }

  get now(): number {
    return this.#now
  }

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener)
  }

  /** Starts a member and has it join through `seeds` (ids). */
  add(seeds: readonly string[], group = 0, name?: string): SimNode {
    const id = `n${++this.#counter}`
    const scheduler: Scheduler = { now: () => this.#now, after: (ms, fn) => this.#schedule(ms, fn) }
    const node: SimNode = { id, swim: undefined as unknown as Swim, stopJoiner: () => undefined, up: true, hostUp: true, group, received: 0, receivedBytes: 0, seen: new Map() }
    const swim = new Swim(
      { id, name: name ?? id, http: '', addrs: [id], started_at: this.#now, role: 'participant', handoff_at: this.#now },
      {
        transport: this.#transport(node),
        scheduler,
        random: seededRandom(Math.floor(this.#random() * 2 ** 32)),
        events: {
          onChange: (change, record) => {
            const key = `${change}:${record.id}`
            if (!node.seen.has(key)) node.seen.set(key, this.#now)
            for (const l of this.#listeners) l(id, change, record, this.#now)
          }
        },
        ...(this.#options.swim === undefined ? {} : { options: this.#options.swim })
      }
    )
    ;(node as { swim: Swim }).swim = swim
    this.nodes.set(id, node)
    swim.start()
    const joiner = new Joiner({
      target: swim,
      scheduler,
      resolve: (done) => done(seeds.filter((s) => s !== id).map((s) => ({ addrs: [s] }))),
      rejoinIntervalMs: 60_000,
      timeoutMs: 2_000
    })
    joiner.start()
    ;(node as { stopJoiner: () => void }).stopJoiner = () => joiner.stop()
    return node
  }

  /** kill -9: the process is gone, its host refuses connections. */
  crash(id: string): void {
    const n = this.#node(id)
    n.up = false
    n.swim.stop()
    n.stopJoiner()
  }

  /** The host goes silent (power cut, cable pulled): nothing answers, nothing is refused. */
  silence(id: string): void {
    const n = this.#node(id)
    n.up = false
    n.hostUp = false
    n.swim.stop()
    n.stopJoiner()
  }

  /** A graceful leave: `left` is announced, then the process stops a moment later. */
  leave(id: string, lingerMs = 500): void {
    const n = this.#node(id)
    n.swim.leave()
    this.#schedule(lingerMs, () => this.crash(id))
  }

  /** Members in different groups cannot reach each other (a partition) until `heal`. */
  partition(assign: (id: string) => number): void {
    for (const n of this.nodes.values()) n.group = assign(n.id)
  }

  heal(): void {
    for (const n of this.nodes.values()) n.group = 0
  }

  /** Runs every event up to `untilMs` of simulated time. */
  runFor(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      const t = this.#queue.peekTime()
      if (t === undefined || t > until) break
      const e = this.#queue.pop() as Event
      this.#now = e.at
      const fn = e.fn
      e.fn = undefined
      fn?.()
    }
    this.#now = until
  }

  /** Runs until `predicate` holds (checked every `stepMs`) or `maxMs` passes; returns whether it held. */
  runUntil(predicate: () => boolean, maxMs: number, stepMs = 100): boolean {
    const until = this.#now + maxMs
    while (this.#now < until) {
      if (predicate()) return true
      this.runFor(stepMs)
    }
    return predicate()
  }

  /** Running members. */
  running(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.up)
  }

  /** Whether every running member sees exactly the running members as live (itself included). */
  converged(): boolean {
    const running = this.running()
    const first = running[0]
    if (first === undefined) return true
    // Equal digests mean equal live sets; the size check ties the set to the running members.
    const digest = first.swim.digest()
    return running.every((n) => n.swim.size === running.length && n.swim.digest() === digest)
  }

  #node(id: string): SimNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no simulated node ${id}`)
    return n
  }

  #schedule(ms: number, fn: () => void): () => void {
    const e = this.#queue.push(this.#now + Math.max(0, ms), fn)
    return () => {
      e.fn = undefined
    }
  }

  #delay(): number {
    const { delayMinMs, delayMaxMs } = this.#options
    return delayMinMs + this.#random() * (delayMaxMs - delayMinMs)
  }

  #lost(): boolean {
    return this.#random() < this.#options.loss
  }

  #reachable(from: SimNode, to: SimNode): boolean {
    return from.group === to.group && to.hostUp
  }

  /** Delivers `msg` to `to` after a delay, unless lost; `respond` carries an answer back the same way. */
  #deliver(from: SimNode, to: SimNode, msg: Message, respond: ((reply: Message) => void) | undefined): void {
    if (this.#lost()) return
    this.#schedule(this.#delay(), () => {
      if (!to.up || !from.up || !this.#reachable(from, to)) return
      to.received++
      if (this.countBytes) to.receivedBytes += encodeMessage('sim', msg).byteLength
      to.swim.handle(from.id, msg, (reply) => {
        if (respond === undefined || this.#lost()) return
        this.#schedule(this.#delay(), () => {
          if (!from.up || !this.#reachable(to, from)) return
          from.received++
          if (this.countBytes) from.receivedBytes += encodeMessage('sim', reply).byteLength
          respond(reply)
        })
      })
    })
  }

  #transport(self: SimNode): SwimTransport {
    return {
      request: (to: Destination, msg: Message, timeoutMs: number, done: (r: RequestResult) => void) => {
        let finished = false
        const finish = (r: RequestResult): void => {
          if (finished) return
          finished = true
          cancelTimeout()
          done(r)
        }
        const cancelTimeout = this.#schedule(timeoutMs, () => finish({ ok: false, failure: 'timeout', detail: 'no answer in time' }))
        const target = this.nodes.get(to.id ?? to.addrs[0] ?? '')
        if (target === undefined) return
        if (!target.up && target.hostUp && this.#reachable(self, target)) {
          // A host whose process is gone answers a connection attempt with a reset.
          this.#schedule(2 * this.#delay(), () => finish({ ok: false, failure: 'refused', detail: 'connection refused' }))
          return
        }
        this.#deliver(self, target, msg, (reply) => finish({ ok: true, from: target.id, msg: reply }))
      },
      send: (to: PeerRef, msg: Message) => {
        const target = this.nodes.get(to.id)
        if (target !== undefined) this.#deliver(self, target, msg, undefined)
      }
    }
  }
}

/** Starts `n` members joining through the first three, `spacingMs` apart, and runs until all agree. */
export function growCluster(sim: SimCluster, n: number, spacingMs = 20, maxMs = 180_000): SimNode[] {
  const nodes: SimNode[] = []
  for (let i = 0; i < n; i++) {
    nodes.push(sim.add(nodes.slice(0, 3).map((s) => s.id)))
    sim.runFor(spacingMs)
  }
  if (!sim.runUntil(() => sim.converged(), maxMs, 250)) throw new Error(`${n} members did not converge within ${maxMs} ms`)
  return nodes
}

/** Simulated time from `since` until every running member saw `change` of `id`, or undefined. */
export function timeToReachAll(sim: SimCluster, change: string, id: string, since: number): number | undefined {
  let latest = since
  for (const n of sim.running()) {
    if (n.id === id) continue
    const at = n.seen.get(`${change}:${id}`)
    if (at === undefined || at < since) return undefined
    latest = Math.max(latest, at)
  }
  return latest - since
}
