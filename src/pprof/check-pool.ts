/**
 * Checking large pprof bodies on a worker thread, under a process-wide budget of bytes in flight
 * (docs/hostile-input.md, "Work off the event loop"). Inflating and decoding a large profile takes tens
 * to hundreds of milliseconds of CPU; on the main thread that delays every scrape, push and API answer.
 * Here the main thread only copies the body and waits. A target's client-side delta goes along with the
 * body when asked for (its previous totals are shared, not copied: delta-state.ts) and comes back computed.
 *
 * The budget: each job reserves its body size plus its inflation cap; jobs wait (in order) until their
 * reservation fits beside the ones running, so N concurrent bad bodies hold at most `maxInflightBytes`
 * of compressed and inflated bytes together. A job larger than the whole budget runs alone, with its
 * inflation cap cut to what the budget leaves. A worker that dies (its heap limit, a crash) fails only
 * the job it was running and is replaced on the next job.
 *
 * The same workers convert large collapsed-stack bodies of `/ingest` to pprof (collapsed.ts) and inflate
 * gzipped request bodies (inflate-off-loop.ts), under the same budget.
 *
 * Workers start with the first job that needs one and stop once idle for `idleWorkerMs`: each is a V8
 * isolate of its own (about 20 MiB resident), which a node that once checked one large profile would
 * otherwise keep for good.
 */
import { Worker } from 'node:worker_threads'
import type { ProfileBudget } from './budget.js'
import type { DeltaInput, DeltaOutcome } from './delta.js'
import type { CollapsedResult, CollapsedShape, ProfileSummary } from './worker-jobs.js'
import { COLLAPSED_WORK_PER_BYTE } from './worker-jobs.js'
import type { Inflated } from './inflate.js'

export interface CheckPoolSettings {
  /** Worker threads checking at once. */
  readonly workers: number
  /** Compressed plus inflated bytes of all running checks together. */
  readonly maxInflightBytes: number
  /** Heap limit of each worker, in MiB. */
  readonly workerHeapMb: number
  /** A worker without a job for this long is stopped (a new one starts with the next job); default 30 s. */
  readonly idleWorkerMs?: number
}

export const DEFAULT_IDLE_WORKER_MS = 30_000

export const DEFAULT_CHECK_POOL_SETTINGS: CheckPoolSettings = Object.freeze({
  workers: 1,
  maxInflightBytes: 256 * 1024 * 1024,
  workerHeapMb: 512
})

export interface WorkerJobOptions {
  readonly maxDecompressedBytes: number
  readonly budget?: ProfileBudget | undefined
  /** Send the inflated bytes back (to decode them later); false when only the verdict matters. */
  readonly keepRaw: boolean
  /** Compute this delta from the decoded profile. */
  readonly delta?: DeltaInput | undefined
}

export type WorkerOutcome =
  | { readonly ok: true; readonly gzipped: boolean; readonly summary: ProfileSummary; readonly raw: Uint8Array | undefined; readonly delta: DeltaOutcome | undefined }
  /** `final`: the reason is complete (from the check itself); otherwise the caller words it. */
  | { readonly ok: false; readonly code: string; readonly reason: string; readonly final: boolean }

/**
 * What the worker is sent and answers (check-worker.ts): a check; collapsed stacks to convert
 * (collapsed.ts); or a gzipped body to inflate under a cap (inflate-off-loop.ts). The last two answer `bytes`.
 */
export type WorkerRequest =
  | { readonly id: number; readonly body: Uint8Array; readonly opts: WorkerJobOptions }
  | { readonly id: number; readonly body: Uint8Array; readonly collapsed: CollapsedShape }
  | { readonly id: number; readonly body: Uint8Array; readonly gunzipMaxBytes: number }
export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly gzipped: boolean; readonly summary: ProfileSummary; readonly raw?: Uint8Array; readonly delta?: DeltaOutcome }
  | { readonly id: number; readonly ok: true; readonly bytes: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly code: string; readonly reason: string }

/** A job the worker never answered: the pool stopped, or the worker died. */
interface LostJob {
  readonly lost: true
  readonly code: string
  readonly reason: string
}

interface Job {
  readonly request: WorkerRequest
  readonly reservation: number
  /** Turns the worker's answer (or the loss of the job) into what the caller's promise resolves with. */
  readonly answer: (response: WorkerResponse | LostJob) => void
  readonly reject: (error: unknown) => void
  readonly signal: AbortSignal | undefined
  onAbort?: () => void
}

interface Slot {
  readonly worker: Worker
  job: Job | undefined
  /** Set while the worker has no job: stops it when it fires. */
  idle: NodeJS.Timeout | undefined
}

export class CheckPool {
  readonly #settings: CheckPoolSettings
  readonly #queue: Job[] = []
  readonly #slots: Slot[] = []
  #inflight = 0
  #nextId = 1
  #peakInflight = 0

  constructor(settings: CheckPoolSettings = DEFAULT_CHECK_POOL_SETTINGS) {
    this.#settings = settings
  }

  /** The highest sum of reservations running at once so far (tests, metrics). */
  get peakInflightBytes(): number {
    return this.#peakInflight
  }

  /** Workers running now, busy or idle (tests, metrics). */
  get workers(): number {
    return this.#slots.length
  }

  check(body: Uint8Array, cap: number, opts: WorkerJobOptions, signal?: AbortSignal): Promise<WorkerOutcome> {
    signal?.throwIfAborted()
    const budget = this.#settings.maxInflightBytes
    const maxDecompressedBytes = this.#capWithinBudget(body.length, cap)
    // A copy with a buffer of its own, moved to the worker: a view on a larger buffer (a field of a push
    // body) would otherwise send the whole buffer.
    const copy = new Uint8Array(body)
    const request: WorkerRequest = { id: this.#nextId++, body: copy, opts: { ...opts, maxDecompressedBytes } }
    // A delta reads the previous totals and builds the next ones, about as large.
    const deltaBytes = 2 * (opts.delta?.baseline?.bytes.byteLength ?? 0)
    return this.#enqueue(request, Math.min(budget, body.length + cap + deltaBytes), signal, (response): WorkerOutcome => {
      if ('lost' in response) return { ok: false, code: response.code, reason: response.reason, final: false }
      if (!response.ok) return { ok: false, code: response.code, reason: response.reason, final: true }
      if ('bytes' in response) return { ok: false, code: 'PPROF_CHECK_FAILED', reason: 'the profile check answered a conversion', final: false }
      return { ok: true, gzipped: response.gzipped, summary: response.summary, raw: response.raw, delta: response.delta }
    })
  }

  /** Converts collapsed stacks to pprof bytes on a worker (collapsed.ts), reserving what the conversion may take. */
  convertCollapsed(body: Uint8Array, shape: CollapsedShape, signal?: AbortSignal): Promise<CollapsedResult> {
    signal?.throwIfAborted()
    const request: WorkerRequest = { id: this.#nextId++, body: new Uint8Array(body), collapsed: shape }
    const reservation = Math.min(this.#settings.maxInflightBytes, body.length * COLLAPSED_WORK_PER_BYTE)
    return this.#enqueue(request, reservation, signal, (response): CollapsedResult => {
      if ('lost' in response) return { ok: false, reason: response.reason }
      if (!response.ok) return { ok: false, reason: response.reason }
      if (!('bytes' in response)) return { ok: false, reason: 'the conversion answered a profile check' }
      return { ok: true, raw: response.bytes }
    })
  }

  /** Inflates a gzipped body on a worker, reserving the body and the cap in the budget (inflate-off-loop.ts). */
  gunzip(body: Uint8Array, maxBytes: number, signal?: AbortSignal): Promise<Inflated> {
    signal?.throwIfAborted()
    const budget = this.#settings.maxInflightBytes
    const cap = this.#capWithinBudget(body.length, maxBytes)
    const request: WorkerRequest = { id: this.#nextId++, body: new Uint8Array(body), gunzipMaxBytes: cap }
    return this.#enqueue(request, Math.min(budget, body.length + cap), signal, (response): Inflated => {
      if ('lost' in response || !response.ok) return { ok: false, code: response.code, reason: response.reason }
      if (!('bytes' in response)) return { ok: false, code: 'PPROF_CHECK_FAILED', reason: 'the inflation answered a profile check' }
      return { ok: true, data: Buffer.from(response.bytes.buffer, response.bytes.byteOffset, response.bytes.byteLength) }
    })
  }

  /** A body whose cap would exceed the whole budget runs alone, with its cap cut to what the budget leaves. */
  #capWithinBudget(bodyBytes: number, cap: number): number {
    const budget = this.#settings.maxInflightBytes
    return bodyBytes + cap <= budget ? cap : Math.max(0, budget - bodyBytes)
  }

  #enqueue<T>(request: WorkerRequest, reservation: number, signal: AbortSignal | undefined, outcomeOf: (response: WorkerResponse | LostJob) => T): Promise<T> {
    return new Promise((resolve, reject) => {
      const job: Job = { request, reservation, answer: (response) => resolve(outcomeOf(response)), reject, signal }
      if (signal !== undefined) {
        job.onAbort = () => {
          const at = this.#queue.indexOf(job)
          if (at >= 0) this.#queue.splice(at, 1)
          reject(signal.reason)
        }
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.#queue.push(job)
      this.#dispatch()
    })
  }

  /** Stops every worker (tests); queued and running jobs are failed. */
  async close(): Promise<void> {
    for (const job of this.#queue.splice(0)) this.#settle(job, { lost: true, code: 'PPROF_CHECK_STOPPED', reason: 'the profile check pool stopped' })
    const slots = this.#slots.splice(0)
    for (const slot of slots) clearTimeout(slot.idle)
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const job = this.#queue[0] as Job
      if (this.#inflight > 0 && this.#inflight + job.reservation > this.#settings.maxInflightBytes) return
      const slot = this.#idleSlot()
      if (slot === undefined) return
      this.#queue.shift()
      clearTimeout(slot.idle)
      slot.idle = undefined
      slot.job = job
      this.#inflight += job.reservation
      this.#peakInflight = Math.max(this.#peakInflight, this.#inflight)
      slot.worker.ref()
      slot.worker.postMessage(job.request, [job.request.body.buffer as ArrayBuffer])
    }
  }

  #idleSlot(): Slot | undefined {
    const idle = this.#slots.find((s) => s.job === undefined)
    if (idle !== undefined) return idle
    if (this.#slots.length >= this.#settings.workers) return undefined
    const worker = new Worker(new URL('./check-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.#settings.workerHeapMb }
    })
    const slot: Slot = { worker, job: undefined, idle: undefined }
    worker.on('message', (response: WorkerResponse) => this.#finish(slot, response))
    worker.on('error', (error: Error & { code?: string }) => this.#lose(slot, error))
    worker.on('exit', () => this.#lose(slot, new Error('the profile check worker exited')))
    worker.unref()
    this.#slots.push(slot)
    return slot
  }

  #finish(slot: Slot, response: WorkerResponse): void {
    const job = slot.job
    if (job === undefined || job.request.id !== response.id) return
    this.#release(slot)
    this.#settle(job, response)
    this.#dispatch()
  }

  #lose(slot: Slot, error: Error & { code?: string }): void {
    const at = this.#slots.indexOf(slot)
    if (at < 0) return
    this.#slots.splice(at, 1)
    clearTimeout(slot.idle)
    const job = slot.job
    if (job !== undefined) {
      this.#release(slot)
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
      this.#settle(job, {
        lost: true,
        code: outOfMemory ? 'PPROF_CHECK_OUT_OF_MEMORY' : 'PPROF_CHECK_FAILED',
        reason: outOfMemory
          ? `decoding the profile needs more than the check's heap limit of ${this.#settings.workerHeapMb} MiB`
          : `the profile check failed: ${error.message}`
      })
    }
    void slot.worker.terminate()
    this.#dispatch()
  }

  #release(slot: Slot): void {
    const job = slot.job
    if (job === undefined) return
    slot.job = undefined
    this.#inflight -= job.reservation
    slot.worker.unref()
    if (this.#slots.includes(slot)) this.#parkIdle(slot)
  }

  /** Stops the worker unless it gets a job within `idleWorkerMs`; the timer never keeps the process up. */
  #parkIdle(slot: Slot): void {
    slot.idle = setTimeout(() => {
      const at = this.#slots.indexOf(slot)
      if (at < 0 || slot.job !== undefined) return
      // Out of the slots first, so that its exit is not taken for a crash.
      this.#slots.splice(at, 1)
      void slot.worker.terminate()
    }, this.#settings.idleWorkerMs ?? DEFAULT_IDLE_WORKER_MS)
    slot.idle.unref()
  }

  #settle(job: Job, response: WorkerResponse | LostJob): void {
    if (job.onAbort !== undefined) job.signal?.removeEventListener('abort', job.onAbort)
    if (job.signal?.aborted === true) job.reject(job.signal.reason)
    else job.answer(response)
  }
}

let shared: CheckPool | undefined
let sharedSettings: CheckPoolSettings = DEFAULT_CHECK_POOL_SETTINGS

/** Sets the shared pool's settings (before its first use; a pool already started keeps its own). */
export function configureCheckPool(settings: Partial<CheckPoolSettings>): void {
  sharedSettings = { ...sharedSettings, ...settings }
}

/** The process-wide pool, started on first use. */
export function sharedCheckPool(): CheckPool {
  shared ??= new CheckPool(sharedSettings)
  return shared
}

export function checkOnWorker(body: Uint8Array, cap: number, opts: WorkerJobOptions, signal?: AbortSignal): Promise<WorkerOutcome> {
  return sharedCheckPool().check(body, cap, opts, signal)
}
