/**
 * The Node analog of Go's goroutine profile: what keeps the event loop busy. One sample per active
 * resource type from `process.getActiveResourcesInfo()` (TCPServerWrap, Timeout, FSReqCallback …), the
 * value being how many are active, under Go's sample type goroutine/count. Instant, like Go's.
 */
import type { Profile } from 'pprof-format'
import { buildProfile, gzipProfile, millisToNanos } from './self-profile-builder.js'
import type { BuiltSample } from './self-profile-builder.js'

export async function captureGoroutineProfile(): Promise<Buffer> {
  return gzipProfile(goroutineProfileToPprof(process.getActiveResourcesInfo(), Date.now()))
}

/** Pure conversion: counts per resource type, each type a one-frame stack named after it. */
export function goroutineProfileToPprof(resources: readonly string[], nowMs: number): Profile {
  const counts = new Map<string, number>()
  for (const type of resources) counts.set(type, (counts.get(type) ?? 0) + 1)
  const samples: BuiltSample[] = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, count]) => ({
      frames: [{ functionName: type, url: 'node:active-resources', lineNumber: -1, columnNumber: -1 }],
      values: [count]
    }))
  return buildProfile(
    {
      sampleTypes: [['goroutine', 'count']],
      periodType: ['goroutine', 'count'],
      period: 1,
      timeNanos: millisToNanos(nowMs),
      durationNanos: 0n
    },
    samples
  )
}
