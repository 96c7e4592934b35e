/** Resolves when `signal` aborts (at once if it already has): how a long-lived `run(signal)` waits for its stop. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
