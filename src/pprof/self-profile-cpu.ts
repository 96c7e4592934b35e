/**
 * The agent's own CPU profile: V8's sampling profiler through the inspector, converted to the pprof
 * layout Go's `/debug/pprof/profile` serves (samples/count + cpu/nanoseconds, period type cpu/nanoseconds),
 * so the agent can be scraped by itself or by any pyroscope.scrape like a Go program.
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Profiler } from 'node:inspector'
import type { Profile } from 'pprof-format'
import { buildProfile, gzipProfile, millisToNanos } from './self-profile-builder.js'
import type { BuiltSample, FrameInfo } from './self-profile-builder.js'
import { inspectorSession } from './self-profile-session.js'

/** 100 Hz, Go's default CPU profiling rate: the agent's profile reads like the Go targets next to it. */
export const CPU_SAMPLING_INTERVAL_MICROS = 10_000

/** V8 pseudo-frames that are not CPU spent by the process ("(idle)") or not a frame at all ("(root)"). */
const NOT_CPU = new Set(['(idle)', '(root)'])

export class CpuProfileInProgressError extends Error {
  readonly code = 'SELF_PROFILE_CPU_BUSY'
  constructor() {
    // Go's runtime/pprof says "cpu profiling already in use"; the brief of this API fixes this wording.
    super('cpu profiling already in progress')
    this.name = 'CpuProfileInProgressError'
  }
}

// V8 has one CPU profiler per isolate: a second concurrent capture would share (and stop) the first one.
let cpuProfileRunning = false

/**
 * Profiles the whole process for `seconds`, then returns gzipped pprof bytes. Rejects with
 * CpuProfileInProgressError while another capture runs, and with the signal's reason when it aborts
 * (the profiler is stopped either way).
 */
export async function captureCpuProfile(seconds: number, signal: AbortSignal): Promise<Buffer> {
  if (cpuProfileRunning) throw new CpuProfileInProgressError()
  signal.throwIfAborted()
  cpuProfileRunning = true
  const session = inspectorSession()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: CPU_SAMPLING_INTERVAL_MICROS })
    const startedAtMs = Date.now()
    await session.post('Profiler.start')
    let profile: Profiler.Profile
    try {
      await delay(seconds * 1000, undefined, { signal })
    } catch (error) {
      // timers/promises wraps the reason in an AbortError; callers compare with their own reason.
      throw signal.aborted ? signal.reason : error
    } finally {
      profile = (await session.post('Profiler.stop')).profile
    }
    return await gzipProfile(cpuProfileToPprof(profile, startedAtMs, CPU_SAMPLING_INTERVAL_MICROS))
  } finally {
    cpuProfileRunning = false
  }
}

/** Pure conversion of a V8 CPU profile (node tree with hit counts) to pprof. */
export function cpuProfileToPprof(profile: Profiler.Profile, startedAtMs: number, intervalMicros: number): Profile {
  const periodNanos = intervalMicros * 1000
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parentOf = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id)

  const stackOf = (leafId: number): FrameInfo[] => {
    const frames: FrameInfo[] = []
    for (let id: number | undefined = leafId; id !== undefined; id = parentOf.get(id)) {
      const node = byId.get(id)
      if (node === undefined || node.callFrame.functionName === '(root)') break
      frames.push(node.callFrame)
    }
    return frames
  }

  const samples: BuiltSample[] = []
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    if (hits === 0 || NOT_CPU.has(node.callFrame.functionName)) continue
    samples.push({ frames: stackOf(node.id), values: [hits, hits * periodNanos] })
  }
  return buildProfile(
    {
      sampleTypes: [
        ['samples', 'count'],
        ['cpu', 'nanoseconds']
      ],
      periodType: ['cpu', 'nanoseconds'],
      period: periodNanos,
      timeNanos: millisToNanos(startedAtMs),
      // V8 start/end times are monotonic microseconds: only their difference means anything.
      durationNanos: BigInt(Math.max(0, Math.round(profile.endTime - profile.startTime))) * 1000n
    },
    samples
  )
}
