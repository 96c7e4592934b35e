/**
 * The agent's own heap profile: V8's sampling heap profiler (live objects only, the default flags), as
 * pprof with inuse_objects/count and inuse_space/bytes. Sampling starts once per process, when the debug
 * server starts or on the first capture, and keeps running: like Go's MemProfileRate, the profile then
 * covers everything allocated since.
 */
import type { Profile } from 'pprof-format'
import { buildProfile, gzipProfile, millisToNanos } from './self-profile-builder.js'
import type { BuiltSample, FrameInfo } from './self-profile-builder.js'
import { inspectorSession } from './self-profile-session.js'

/** V8's own default mean sampling interval (32 KiB): cheap, yet enough samples for a small daemon. */
export const HEAP_SAMPLING_INTERVAL_BYTES = 32 * 1024

/**
 * The sampling heap profile as V8 sends it today. Node 20's type definitions predate the `samples` and
 * node `id` fields, so the shape is declared here.
 */
export interface SamplingHeapNode {
  readonly id: number
  readonly callFrame: FrameInfo
  readonly selfSize: number
  readonly children: readonly SamplingHeapNode[]
}

export interface SamplingHeapProfile {
  readonly head: SamplingHeapNode
  readonly samples?: readonly { readonly size: number; readonly nodeId: number }[]
}

// Per process, like the isolate's heap profiler it guards.
let samplingStarted: Promise<void> | undefined

/** Starts heap sampling once per process; later calls return the same promise. */
export function startHeapSampling(): Promise<void> {
  if (samplingStarted === undefined) {
    const session = inspectorSession()
    samplingStarted = (async () => {
      await session.post('HeapProfiler.enable')
      await session.post('HeapProfiler.startSampling', { samplingInterval: HEAP_SAMPLING_INTERVAL_BYTES })
    })()
    // A failed start must not poison every later call.
    samplingStarted.catch(() => {
      samplingStarted = undefined
    })
  }
  return samplingStarted
}

export async function captureHeapProfile(): Promise<Buffer> {
  await startHeapSampling()
  const { profile } = await inspectorSession().post('HeapProfiler.getSamplingProfile')
  const sampled = profile as unknown as SamplingHeapProfile
  return gzipProfile(heapProfileToPprof(sampled, Date.now(), HEAP_SAMPLING_INTERVAL_BYTES))
}

/**
 * Pure conversion. Samples are grouped by allocation site and scaled like Go's `scaleHeapSample`: a
 * sample of mean size s under a Poisson sampler of mean interval r stands for 1 / (1 - e^(-s/r)) objects.
 */
export function heapProfileToPprof(profile: SamplingHeapProfile, nowMs: number, intervalBytes: number): Profile {
  const stacks = new Map<number, FrameInfo[]>()
  const walk = (node: SamplingHeapNode, parentStack: readonly FrameInfo[]): void => {
    const isRoot = node.callFrame.functionName === '(root)'
    const stack = isRoot ? [...parentStack] : [node.callFrame, ...parentStack]
    stacks.set(node.id, stack)
    for (const child of node.children) walk(child, stack)
  }
  walk(profile.head, [])

  const perSite = new Map<number, { count: number; bytes: number }>()
  for (const s of profile.samples ?? []) {
    const site = perSite.get(s.nodeId) ?? { count: 0, bytes: 0 }
    site.count += 1
    site.bytes += s.size
    perSite.set(s.nodeId, site)
  }

  const samples: BuiltSample[] = []
  for (const [nodeId, site] of perSite) {
    const frames = stacks.get(nodeId)
    if (frames === undefined) continue
    const scale = 1 / (1 - Math.exp(-site.bytes / site.count / intervalBytes))
    samples.push({ frames, values: [site.count * scale, site.bytes * scale] })
  }
  return buildProfile(
    {
      sampleTypes: [
        ['inuse_objects', 'count'],
        ['inuse_space', 'bytes']
      ],
      periodType: ['space', 'bytes'],
      period: intervalBytes,
      timeNanos: millisToNanos(nowMs),
      durationNanos: 0n,
      defaultSampleType: 1
    },
    samples
  )
}
