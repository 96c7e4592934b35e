/**
 * The one way tests wait: poll an observable condition until it holds or a deadline passes, never a bare
 * sleep standing in for synchronisation. On timeout the error names what was awaited.
 */
import { setTimeout as delay } from 'node:timers/promises'

export interface WaitOptions {
  /** Give up after this long (default 5 s). */
  readonly timeoutMs?: number
  /** A fixed poll period; by default 5 ms growing to 50 ms, so a quick condition is seen at once and a slow one costs little. */
  readonly intervalMs?: number
  /** What is awaited, for the timeout's message; a function is called at the timeout, to show the state then. Default: the probe's source. */
  readonly what?: string | (() => string)
}

const DEFAULT_TIMEOUT_MS = 5_000
const FIRST_INTERVAL_MS = 5
const LONGEST_INTERVAL_MS = 50

/**
 * Resolves with the probe's first value that is neither `undefined` nor `false`. A probe that throws (or
 * rejects) counts as "not yet"; the last error is shown if the deadline passes.
 */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const deadline = performance.now() + timeoutMs
  let intervalMs = options.intervalMs ?? FIRST_INTERVAL_MS
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined && value !== false) return value
    } catch (err) {
      lastError = err
    }
    if (performance.now() > deadline) throw new Error(timeoutMessage(timeoutMs, whatAwaited(options.what, probe), lastError))
    await delay(intervalMs)
    if (options.intervalMs === undefined) intervalMs = Math.min(2 * intervalMs, LONGEST_INTERVAL_MS)
  }
}

function whatAwaited(what: WaitOptions['what'], probe: () => unknown): string {
  if (typeof what === 'function') return what()
  return what ?? probe.toString().replace(/\s+/g, ' ')
}

function timeoutMessage(timeoutMs: number, what: string, lastError: unknown): string {
  const error = lastError === undefined ? '' : `: ${String(lastError)}`
  return `timed out after ${timeoutMs} ms waiting for ${what}${error}`
}
