/**
 * Collapsed stacks (`folded`: `a;b;c 12` per line, root first; `lines`: one stack per line, counted once),
 * the text some Pyroscope SDKs send to `/ingest`, turned into pprof bytes. Identical stacks are summed.
 *
 * The conversion costs a few times the body's size in CPU and memory (a map of the distinct stacks, their
 * frames, the profile built from them), so a body over 32 KiB is converted on the profile check worker
 * under its budget of bytes in flight, as a large pprof body is checked there (docs/hostile-input.md,
 * "Work off the event loop"); the event loop only copies the body and takes the encoded profile back.
 */
import { buildProfile } from './self-profile-builder.js'
import type { BuiltSample } from './self-profile-builder.js'
import { sharedCheckPool } from './check-pool.js'
import type { CollapsedResult, CollapsedShape } from './worker-jobs.js'

export type { CollapsedResult, CollapsedShape } from './worker-jobs.js'

/** Distinct stacks one body may hold. */
export const MAX_COLLAPSED_STACKS = 1_000_000
/** Bodies up to this size are converted inline (a few milliseconds at most). */
export const INLINE_COLLAPSED_MAX_BYTES = 32 * 1024

/** Converts inline when small, on the check worker otherwise; see the module comment. */
export async function collapsedToPprofAsync(body: Uint8Array, shape: CollapsedShape, signal?: AbortSignal): Promise<CollapsedResult> {
  if (body.length <= INLINE_COLLAPSED_MAX_BYTES) return collapsedToPprof(body, shape)
  return sharedCheckPool().convertCollapsed(body, shape, signal)
}

export function collapsedToPprof(body: Uint8Array, shape: CollapsedShape): CollapsedResult {
  const counts = new Map<string, number>()
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
  let lineNumber = 0
  for (let start = 0; start <= text.length; ) {
    const end = nextLineEnd(text, start)
    lineNumber++
    const trimmed = text.slice(start, end).trim()
    start = end + 1
    if (trimmed === '') continue
    let stack = trimmed
    let count = 1
    if (!shape.lines) {
      const space = trimmed.lastIndexOf(' ')
      count = space < 0 ? Number.NaN : Number(trimmed.slice(space + 1))
      if (!Number.isSafeInteger(count) || count < 0) {
        return { ok: false, reason: `folded line ${lineNumber}: expected "frame;frame;... COUNT", got ${JSON.stringify(trimmed.slice(0, 80))}` }
      }
      stack = trimmed.slice(0, space).trim()
    }
    const known = counts.get(stack)
    if (known === undefined && counts.size >= MAX_COLLAPSED_STACKS) return { ok: false, reason: `more than ${MAX_COLLAPSED_STACKS} distinct stacks` }
    counts.set(stack, (known ?? 0) + count)
  }
  if (counts.size === 0) return { ok: false, reason: 'the body holds no stacks' }
  return { ok: true, raw: profileOf(counts, shape).encode() }
}

function nextLineEnd(text: string, from: number): number {
  const at = text.indexOf('\n', from)
  return at < 0 ? text.length : at
}

function profileOf(counts: ReadonlyMap<string, number>, shape: CollapsedShape): ReturnType<typeof buildProfile> {
  const timed = shape.profileName === 'process_cpu' || shape.profileName === 'wall'
  const period = Math.round(1e9 / shape.sampleRate)
  const samples: BuiltSample[] = []
  for (const [stack, n] of counts) {
    samples.push({
      frames: stack
        .split(';')
        .reverse()
        .map((f) => ({ functionName: f, url: '', lineNumber: -1, columnNumber: -1 })),
      values: timed ? [n, n * period] : [n]
    })
  }
  const timeType = shape.profileName === 'wall' ? 'wall' : 'cpu'
  const from = shape.fromSeconds ?? 0
  const until = shape.untilSeconds ?? from
  return buildProfile(
    {
      sampleTypes: timed ? [['samples', 'count'], [timeType, 'nanoseconds']] : [[shape.valueType, shape.unit]],
      periodType: timed ? [timeType, 'nanoseconds'] : [shape.valueType, shape.unit],
      period: timed ? period : 1,
      timeNanos: BigInt(Math.round(from)) * 1_000_000_000n,
      durationNanos: BigInt(Math.max(0, Math.round(until - from))) * 1_000_000_000n
    },
    samples
  )
}
