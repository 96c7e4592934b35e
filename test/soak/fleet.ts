/**
 * The soak's agent processes: started, killed, stopped and restarted by name, each life recorded as an
 * `Incarnation` with the write counters it last reported.
 *
 * Counters are polled from every live agent's /metrics once a second. A graceful stop drains the write queue
 * after the last poll can see it, so its final drop count is also read from its logs (every drop is logged,
 * aggregated, and flushed at shutdown); the larger of the two is kept. A SIGKILL'd process keeps its last poll.
 */
import { setTimeout as delay } from 'node:timers/promises'
import { metricValue } from '../helpers/metrics.js'
import { spawnNode } from '../helpers/spawn-node.js'
import type { LogRecord, NodeProcess } from '../helpers/spawn-node.js'
import type { Incarnation } from './accounting.js'

const STOP_TIMEOUT_MS = 30_000
const POLL_EVERY_MS = 1_000

export interface FleetOptions {
  readonly configPath: string
  readonly storageDir: string
  /** Cluster port per node name (fixed: a restarted node comes back at the same address). */
  readonly ports: ReadonlyMap<string, number>
  readonly extraArgs: readonly string[]
  readonly log: (line: string) => void
}

/** Between two polls, an agent counted scrape points it missed (late by over half an interval) or skipped. */
export interface LatePoints {
  readonly name: string
  readonly fromMs: number
  readonly toMs: number
  readonly missed: number
  readonly skipped: number
}

export interface Fleet {
  readonly incarnations: Incarnation[]
  readonly latePoints: LatePoints[]
  /** Unexpected exits, and stops that needed SIGKILL or exited non-zero. */
  readonly crashes: string[]
  live(): NodeProcess[]
  node(name: string): NodeProcess
  start(name: string, joinVia: readonly string[]): NodeProcess
  /** kill -9; resolves when the process is gone. */
  kill(name: string): Promise<void>
  /** SIGTERM (a graceful leave); resolves when the process has exited. */
  leave(name: string): Promise<void>
  /** Polls every live agent's write counters once a second until `signal` aborts. */
  pollMetrics(signal: AbortSignal): Promise<void>
  /** Every child ever started that has not exited yet. */
  survivors(): NodeProcess[]
  /** SIGKILL to every survivor (cleanup); resolves when they are gone. */
  killAll(): Promise<void>
}

export function createFleet(options: FleetOptions): Fleet {
  const incarnations: Incarnation[] = []
  const crashes: string[] = []
  const latePoints: LatePoints[] = []
  const all: NodeProcess[] = []
  const current = new Map<string, { node: NodeProcess; life: Incarnation }>()

  const entry = (name: string): { node: NodeProcess; life: Incarnation } => {
    const found = current.get(name)
    if (!found) throw new Error(`no running agent named ${name}`)
    return found
  }

  const start = (name: string, joinVia: readonly string[]): NodeProcess => {
    const node = spawnNode({
      name,
      configPath: options.configPath,
      clusterPort: options.ports.get(name) as number,
      joinPorts: joinVia.map((n) => options.ports.get(n) as number),
      storageDir: `${options.storageDir}/${name}`,
      extraArgs: options.extraArgs
    })
    const life: Incarnation = { name, startedAt: Date.now(), endedAt: undefined, end: 'running', sent: 0, dropped: 0, queued: 0, missed: 0, skipped: 0, lastPollAt: undefined }
    incarnations.push(life)
    all.push(node)
    current.set(name, { node, life })
    void node.exited.then((code) => {
      // A SIGTERM'd node keeps scraping until its hand-off: its life ends when the process does.
      life.endedAt = Date.now()
      if (life.end === 'running') {
        life.end = 'crashed'
        crashes.push(`${name} exited on its own (${code}):\n${node.stderr().slice(-2000)}`)
      } else if (life.end === 'sigterm') {
        if (code !== 0) crashes.push(`${name} exited with ${code} after SIGTERM:\n${node.stderr().slice(-2000)}`)
        life.dropped = Math.max(life.dropped, loggedDrops(node.logs))
      }
      if (current.get(name)?.node === node) current.delete(name)
    })
    return node
  }

  const stop = async (name: string, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> => {
    // Already gone on its own: the exit handler recorded the crash, and the schedule goes on.
    if (!current.has(name)) return
    const { node, life } = entry(name)
    life.end = signal === 'SIGKILL' ? 'sigkill' : 'sigterm'
    node.kill(signal)
    const timer = setTimeout(() => {
      crashes.push(`${name} did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; killed`)
      node.kill('SIGKILL')
    }, STOP_TIMEOUT_MS)
    await node.exited
    clearTimeout(timer)
  }

  const pollOne = async (life: Incarnation, node: NodeProcess): Promise<void> => {
    const url = debugUrl(node)
    if (url === undefined) return
    const at = Date.now()
    try {
      // Each read is a lower bound of the value at any later instant, which keeps the kill -9 bound safe.
      const [sent, dropped, queued, missed, skipped] = await Promise.all([
        metricValue(url, 'pyroscope_write_sent_profiles_total'),
        metricValue(url, 'pyroscope_write_dropped_profiles_total'),
        metricValue(url, 'pyroscope_write_queue_length'),
        metricValue(url, 'shardscope_scrapes_total', { result: 'missed' }),
        metricValue(url, 'shardscope_scrapes_total', { result: 'skipped' })
      ])
      if (missed > life.missed || skipped > life.skipped) {
        latePoints.push({ name: life.name, fromMs: life.lastPollAt ?? life.startedAt, toMs: at, missed: missed - life.missed, skipped: skipped - life.skipped })
      }
      life.missed = Math.max(life.missed, missed)
      life.skipped = Math.max(life.skipped, skipped)
      life.sent = Math.max(life.sent, sent)
      life.dropped = Math.max(life.dropped, dropped)
      life.queued = queued
      life.lastPollAt = at
    } catch {
      // The process is stopping (or stalled): its last good poll stands.
    }
  }

  return {
    incarnations,
    latePoints,
    crashes,
    live: () => [...current.values()].map((c) => c.node),
    node: (name) => entry(name).node,
    start,
    kill: (name) => stop(name, 'SIGKILL'),
    leave: (name) => stop(name, 'SIGTERM'),
    pollMetrics: async (signal) => {
      while (!signal.aborted) {
        const started = Date.now()
        await Promise.all([...current.values()].map((c) => pollOne(c.life, c.node)))
        // Pacing of a periodic reading, not synchronisation: nothing waits on this loop's timing.
        await delay(Math.max(0, POLL_EVERY_MS - (Date.now() - started)), undefined, { signal }).catch(() => undefined)
      }
    },
    survivors: () => all.filter((n) => n.child.exitCode === null && n.child.signalCode === null),
    killAll: async () => {
      for (const node of all) node.kill('SIGKILL')
      await Promise.all(all.map((n) => n.exited))
    }
  }
}

/** The debug server's base URL once the node has logged it (undefined before). */
function debugUrl(node: NodeProcess): string | undefined {
  const line = node.logs.find((l) => l.msg === 'debug server listening')
  return line ? `http://${String(line['address'])}` : undefined
}

/** Sum of the `dropped` counts of a process's drop log lines (the aggregated drop log flushes at shutdown). */
export function loggedDrops(logs: readonly LogRecord[]): number {
  let total = 0
  for (const l of logs) if (typeof l['dropped'] === 'number' && typeof l.msg === 'string' && l.msg.startsWith('dropped ')) total += l['dropped']
  return total
}
