/**
 * Measured work in a child process of its own, so that CPU time and peak RSS belong to the work alone and
 * not to the runner (which keeps servers, the ring bench's keys and the other benchmarks' garbage).
 *
 * A benchmark module calls `runInChild(import.meta.url, …)` from its `run`, and at its bottom
 * `if (isChildRun(import.meta.url)) childMain(work)`: the same compiled file, started with `--child`,
 * does the work and sends its result back over the IPC channel.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const CHILD_FLAG = '--child'

export interface ChildOptions {
  /** Arguments after `--child` (ports, sizes, durations). */
  readonly args?: readonly string[]
  /** Node flags for the child, e.g. `--expose-gc`. */
  readonly execArgv?: readonly string[]
  /** The child is killed, and the run fails, after this long. */
  readonly timeoutMs: number
}

/** Peak resident set of this process so far, in bytes (getrusage's ru_maxrss is in KiB). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024
}

/** Forks `moduleUrl` with `--child` and resolves with the one message it sends. */
export function runInChild<T>(moduleUrl: string, options: ChildOptions): Promise<T> {
  const child = fork(fileURLToPath(moduleUrl), [CHILD_FLAG, ...(options.args ?? [])], {
    execArgv: [...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  return new Promise<T>((resolve, reject) => {
    let result: { value: T } | undefined
    let failure: string | undefined
    const timer = setTimeout(() => {
      failure = `child ${moduleUrl} did not finish within ${options.timeoutMs} ms`
      child.kill('SIGKILL')
    }, options.timeoutMs)
    // A child that has answered gets a short grace to exit by itself (open sockets closing), then is killed.
    let grace: NodeJS.Timeout | undefined
    child.on('message', (message: unknown) => {
      const m = message as { ok: true; value: T } | { ok: false; error: string }
      if (m.ok) result = { value: m.value }
      else failure = m.error
      grace = setTimeout(() => child.kill('SIGKILL'), 5_000)
    })
    child.once('error', (error) => {
      failure ??= error.message
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (grace !== undefined) clearTimeout(grace)
      if (result !== undefined) resolve(result.value)
      else reject(new Error(failure ?? `child ${moduleUrl} exited (${signal ?? code}) without a result`))
    })
  })
}

/** True in the process `runInChild` started for this module. */
export function isChildRun(moduleUrl: string): boolean {
  return process.argv[1] === fileURLToPath(moduleUrl) && process.argv[2] === CHILD_FLAG
}

/** The child side: runs `work` with the arguments after `--child` and sends its result (or error) to the parent. */
export function childMain<T>(work: (args: readonly string[]) => Promise<T>): void {
  const send = (message: unknown): void => {
    process.send?.(message, () => process.disconnect())
  }
  work(process.argv.slice(3)).then(
    (value) => send({ ok: true, value }),
    (error: unknown) => {
      process.exitCode = 1
      send({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
    }
  )
}
