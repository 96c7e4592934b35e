/**
 * How long the event loop is held: the main thread's CPU time between two turns of a 1 ms timer. A
 * wall-clock delay (monitorEventLoopDelay) also counts the time a loaded machine gave this process no CPU
 * at all; CPU time counts only work done on the loop's thread, so a long synchronous task (a decode on the
 * event loop) shows in full and a busy neighbour does not. Linux gives per-thread CPU time in
 * /proc/self/task/<tid>/schedstat (nanoseconds, first field; the main thread's tid is the pid); elsewhere
 * the wall-clock gap between turns is used instead.
 */
import { closeSync, openSync, readSync } from 'node:fs'

export interface LoopHoldMonitor {
  /** Whether holds are CPU time (true) or, without /proc, wall-clock gaps. */
  readonly cpuTime: boolean
  /** The longest hold since the monitor started or this was last called, in ms. */
  takeMaxMs(): number
  stop(): void
}

export function watchLoopHolds(): LoopHoldMonitor {
  const cpu = mainThreadCpuClock()
  const now = cpu ?? (() => performance.now() * 1e6)
  let last = now()
  let maxNs = 0
  let stopped = false
  const timer = setInterval(() => {
    const at = now()
    maxNs = Math.max(maxNs, at - last)
    last = at
  }, 1)
  timer.unref()
  return {
    cpuTime: cpu !== undefined,
    takeMaxMs: () => {
      if (stopped) return 0
      const at = now()
      const ms = Math.max(maxNs, at - last) / 1e6
      maxNs = 0
      last = at
      return ms
    },
    stop: () => {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      cpu?.close()
    }
  }
}

/** Reads the main thread's CPU time in ns, or undefined when the system does not say. */
function mainThreadCpuClock(): ((() => number) & { close(): void }) | undefined {
  let fd: number
  try {
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r')
  } catch {
    return undefined
  }
  const buffer = Buffer.alloc(128)
  const read = (): number => {
    const n = readSync(fd, buffer, 0, buffer.length, 0)
    return Number(buffer.toString('latin1', 0, n).split(' ', 1)[0])
  }
  if (!Number.isFinite(read())) {
    closeSync(fd)
    return undefined
  }
  return Object.assign(read, { close: () => closeSync(fd) })
}
