import type { Clock } from './clock.js'

/** Sleeps `ms` on `clock`: true after sleeping, false when `stop` aborted first (or already had). */
export async function sleepUnlessStopped(clock: Clock, ms: number, stop: AbortSignal): Promise<boolean> {
  if (stop.aborted) return false
  try {
    await clock.sleep(ms, stop)
    return true
  } catch (error) {
    if (stop.aborted) return false
    throw error
  }
}
