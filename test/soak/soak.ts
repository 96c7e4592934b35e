/**
 * The churn soak: real agent processes on 127.0.0.1 scraping a logging target server and pushing to a real
 * `shardscope receive` process, through a scripted schedule of joins, kill -9, graceful leaves, receiver
 * restarts and target flaps (schedule.ts). Afterwards it reports, from the targets' side, every scrape point
 * of every (target, type) as one / zero / two-plus requests (intervals.ts), and where every scraped profile
 * went: stored, dropped, lost with a killed process, or unaccounted (accounting.ts).
 *
 * Only non-delta profile types are scraped (goroutine and a custom path), so a 200 is exactly one profile.
 */
import { createKeyHasher } from '../../src/util/label-hash.js'
import { readIndex } from '../../src/components/pyroscope/receive_http/index.js'
import { freePort } from '../helpers/free-port.js'
import { startShardscope } from '../helpers/processes.js'
import type { RunningProcess } from '../helpers/processes.js'
import { clusterConfig, participants, tempDir, writeConfig } from '../helpers/spawn-node.js'
import { waitFor as waitUntil } from '../helpers/wait-for.js'
import { account } from './accounting.js'
import type { Accounting } from './accounting.js'
import { startFlakyTargets } from './flaky-targets.js'
import type { FlakyTargets } from './flaky-targets.js'
import { createFleet } from './fleet.js'
import type { Fleet, LatePoints } from './fleet.js'
import { classifyIntervals } from './intervals.js'
import type { ExcusedWindow, IntervalReport, SeriesSpec } from './intervals.js'
import { agentNames, describeAction, INITIAL_AGENTS, soakSchedule } from './schedule.js'
import type { SoakAction } from './schedule.js'

export interface SoakOptions {
  readonly durationMs: number
  readonly agents: number
  readonly targets: number
  readonly intervalMs: number
  /** `--cluster.failure-timeout` of every agent; default 5 s (the flag's default). */
  readonly failureTimeoutMs?: number
  readonly log: (line: string) => void
}

export interface SoakReport {
  readonly options: Omit<SoakOptions, 'log'> & { readonly failureTimeoutMs: number }
  /** The measured window: scrape points in [from, to) are classified. */
  readonly window: { readonly from: string; readonly to: string }
  readonly events: { readonly at: string; readonly what: string }[]
  readonly intervals: IntervalReport
  readonly accounting: Accounting
  /** Scrape points the agents themselves counted as missed or skipped, between two metric polls. */
  readonly latePoints: LatePoints[]
  /** Processes that exited on their own, exited non-zero after SIGTERM, or had to be killed. */
  readonly crashes: string[]
  /** Processes still alive after the soak's cleanup (must be 0). */
  readonly leftoverProcesses: number
  readonly elapsedMs: number
}

/** Target-side profile paths of the two scraped types, and the `__name__` each is stored under. */
const PROFILE_PATHS: Readonly<Record<string, string>> = { '/debug/pprof/goroutine': 'goroutine', '/custom': 'extra' }
const CONVERGE_TIMEOUT_MS = 60_000
const PARTICIPATE_TIMEOUT_MS = 30_000

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const began = Date.now()
  const failureTimeoutMs = options.failureTimeoutMs ?? 5_000
  const events: { at: string; what: string }[] = []
  const note = (what: string): void => {
    events.push({ at: new Date().toISOString(), what })
    options.log(`[+${((Date.now() - began) / 1000).toFixed(1)}s] ${what}`)
  }
  const dir = await tempDir('shardscope-soak-')
  const polling = new AbortController()
  let poller: Promise<void> = Promise.resolve()
  let targets: FlakyTargets | undefined
  let receiver: SoakReceiver | undefined
  let fleet: Fleet | undefined
  let measured: Omit<SoakReport, 'leftoverProcesses' | 'elapsedMs'>
  try {
    targets = await startFlakyTargets(options.targets)
    receiver = createReceiver(`${dir.path}/received`, await freePort())
    await receiver.start()
    note(`receiver listening on ${receiver.url}`)
    const names = agentNames(options.agents)
    const ports = new Map<string, number>()
    for (const name of names) ports.set(name, await freePort())
    const configPath = await writeConfig(
      dir.path,
      clusterConfig({ targetsLiteral: targets.targetsLiteral(), receiverUrl: receiver.url, interval: `${options.intervalMs}ms` })
    )
    const agents = createFleet({ configPath, storageDir: `${dir.path}/agents`, ports, extraArgs: [`--cluster.failure-timeout=${failureTimeoutMs}ms`], log: options.log })
    fleet = agents
    const excused: ExcusedWindow[] = []
    const initial = names.slice(0, INITIAL_AGENTS)
    for (const name of initial) agents.start(name, initial.filter((n) => n !== name))
    await converged(agents, initial)
    poller = agents.pollMetrics(polling.signal)
    const from = settledAfterStart(agents, initial) + options.intervalMs
    note(`${initial.join(', ')} converged; measuring from ${new Date(from).toISOString()}`)
    await until(from)
    for (const step of soakSchedule(options.durationMs, options.agents, options.targets, options.intervalMs)) {
      await until(from + step.atMs)
      note(describeAction(step.action))
      await perform(step.action, { fleet: agents, receiver, targets, excused, note, failureTimeoutMs, intervalMs: options.intervalMs })
    }
    await until(from + options.durationMs)
    const to = Date.now()
    note('SIGTERM to every agent')
    await Promise.all(agents.live().map((n) => agents.leave(n.name)))
    polling.abort()
    await poller
    await receiver.stop()
    note('every process stopped')
    const stored = await readIndex(`${dir.path}/received`)
    const keys = await seriesOf(targets)
    measured = {
      options: { durationMs: options.durationMs, agents: options.agents, targets: options.targets, intervalMs: options.intervalMs, failureTimeoutMs },
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
      events,
      intervals: classifyIntervals(keys, targets.requests, options.intervalMs, { fromMs: from, toMs: to }, excused),
      accounting: account(targets.requests, stored.map((e) => e.labels['__name__'] ?? ''), agents.incarnations, (p) => PROFILE_PATHS[p] ?? p),
      latePoints: agents.latePoints,
      crashes: [...agents.crashes, ...receiver.crashes]
    }
  } finally {
    polling.abort()
    await poller
    await fleet?.killAll()
    await receiver?.stop('SIGKILL')
    await targets?.close()
    await dir.remove()
  }
  const leftoverProcesses = (fleet?.survivors().length ?? 0) + (receiver?.survivors() ?? 0)
  return { ...measured, leftoverProcesses, elapsedMs: Date.now() - began }
}

interface StepContext {
  readonly fleet: Fleet
  readonly receiver: SoakReceiver
  readonly targets: FlakyTargets
  readonly excused: ExcusedWindow[]
  readonly note: (what: string) => void
  readonly failureTimeoutMs: number
  readonly intervalMs: number
}

async function perform(action: SoakAction, ctx: StepContext): Promise<void> {
  switch (action.kind) {
    case 'join':
    case 'restart': {
      const started = Date.now()
      const node = ctx.fleet.start(action.node, ['a1'])
      await node.waitForLog((l) => l.msg === 'cluster node participating', PARTICIPATE_TIMEOUT_MS, 'participating')
      ctx.note(`${action.node} participating after ${Date.now() - started} ms`)
      return
    }
    case 'kill': {
      const at = Date.now()
      // The dead node's share is unowned until the survivors drop it: excused for failure timeout + one interval.
      ctx.excused.push({ fromMs: at, toMs: at + ctx.failureTimeoutMs + ctx.intervalMs, reason: `kill -9 ${action.node}` })
      await ctx.fleet.kill(action.node)
      return
    }
    case 'leave': {
      const at = Date.now()
      await ctx.fleet.leave(action.node)
      ctx.note(`${action.node} exited ${Date.now() - at} ms after SIGTERM`)
      return
    }
    case 'receiver-restart': {
      await ctx.receiver.stop()
      const downUntil = Date.now() + action.downMs
      await until(downUntil)
      await ctx.receiver.start()
      ctx.note('receiver back')
      return
    }
    case 'flap': {
      const list = ctx.targets.targets.filter((_, i) => i % 10 === 0).slice(0, action.targets)
      ctx.targets.flap(list, Date.now() + action.forMs)
      return
    }
  }
}

/** Every initial node lists exactly the initial set as participants. */
async function converged(fleet: Fleet, expected: readonly string[]): Promise<void> {
  const want = [...expected].sort().join(',')
  await waitUntil(() => expected.every((n) => participants(fleet.node(n)).join(',') === want), {
    timeoutMs: CONVERGE_TIMEOUT_MS,
    what: () => `participants ${want}: ${expected.map((n) => `${n}=${participants(fleet.node(n)).join(',')}`).join(' ')}`
  })
}

/** The latest hand-off instant the initial nodes announced (ownership is stable from there), or now. */
function settledAfterStart(fleet: Fleet, initial: readonly string[]): number {
  const handoffs = initial.flatMap((n) =>
    fleet.node(n).logs.filter((l) => l.msg === 'cluster node participating').map((l) => Date.parse(String(l['handoff_at'])))
  )
  return Math.max(Date.now(), ...handoffs.filter((t) => Number.isFinite(t)))
}

async function seriesOf(targets: FlakyTargets): Promise<SeriesSpec[]> {
  const hasher = await createKeyHasher()
  return targets.targets.flatMap((target) => {
    const key = hasher.targetKey(targets.labelsOf(target))
    return Object.keys(PROFILE_PATHS).map((path) => ({ target, path, key }))
  })
}

/** Waits for a wall-clock instant of the schedule (the clock is the observable condition here). */
async function until(atMs: number): Promise<void> {
  await waitUntil(() => Date.now() >= atMs, { timeoutMs: Math.max(0, atMs - Date.now()) + 5_000, what: () => `${new Date(atMs).toISOString()}` })
}

interface SoakReceiver {
  readonly url: string
  readonly crashes: string[]
  start(): Promise<void>
  /** SIGTERM by default (the receiver finishes the pushes it accepted); no-op when it is not running. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Receiver processes started by the soak that are still alive. */
  survivors(): number
}

/** `shardscope receive` on a fixed port, so that a restart comes back where the agents push. */
function createReceiver(dir: string, port: number): SoakReceiver {
  const crashes: string[] = []
  let running: { process: RunningProcess; stopping: boolean } | undefined
  const all: RunningProcess[] = []
  const start = async (): Promise<void> => {
    const process = startShardscope(['receive', '--listen', `127.0.0.1:${port}`, '--dir', dir])
    all.push(process)
    const entry = { process, stopping: false }
    running = entry
    process.child.once('exit', (code, signal) => {
      if (!entry.stopping) crashes.push(`receiver exited on its own (${code ?? signal}):\n${process.output().slice(-2000)}`)
    })
    await process.waitForOutput(/listening on http:/)
  }
  return {
    url: `http://127.0.0.1:${port}`,
    crashes,
    start,
    stop: async (signal = 'SIGTERM') => {
      const entry = running
      if (!entry) return
      entry.stopping = true
      running = undefined
      const code = await entry.process.stop(signal)
      if (signal === 'SIGTERM' && code !== 0) crashes.push(`receiver exited with ${code} after SIGTERM`)
    },
    survivors: () => all.filter((p) => p.child.exitCode === null && p.child.signalCode === null).length
  }
}
