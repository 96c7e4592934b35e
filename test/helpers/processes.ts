/** Long-running shardscope processes for tests: started, awaited on an observable line, always killed. */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { MAIN_JS, REPO_ROOT } from './cli.js'
import { waitFor } from './wait-for.js'

export interface RunningProcess {
  readonly child: ChildProcess
  /** Everything written to stdout and stderr so far. */
  output(): string
  /** Waits until the output matches `pattern` (bounded). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>
  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

export function startShardscope(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningProcess {
  const child = spawn(process.execPath, [MAIN_JS, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  live.add(child)
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    live.delete(child)
    resolve(code)
  }))
  return {
    child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      waitFor(() => pattern.exec(output) ?? (child.exitCode !== null ? Promise.reject(new Error(`exited: ${output}`)) : undefined), {
        timeoutMs,
        what: `output matching ${String(pattern)}\n--- output so far ---\n${output.slice(-2000)}`
      }),
    stop: async (signal = 'SIGTERM', graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
      child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
}
