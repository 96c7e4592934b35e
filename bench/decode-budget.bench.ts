/**
 * Decoding a large real profile with the decoding budget's checks on and off (docs/hostile-input.md:
 * "the checks cost at most 10 %"). The profile is real: the V8 CPU profile of this child process while it
 * type-checks shardscope's own sources with the TypeScript compiler, sampled every 50 µs and converted to
 * pprof by the agent's self-profiler; it inflates to well over 1 MB. Off = `Profile.decode` of the
 * inflated bytes; on = the budget walk (`measureProfile`) and then the same decode. Both run in alternating
 * rounds in one child process, after a warm-up. An informative row does the same for inflating: the check
 * worker's streaming inflate with the walk counting each piece as it comes out (`inflateMetered`) against
 * `gunzipSync` and then the walk over the whole, which it replaced.
 */
import { Session } from 'node:inspector/promises'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Profiler } from 'node:inspector'
import { Profile } from 'pprof-format'
import ts from 'typescript'
import { ProfileMeter, inflateMetered, measureProfile } from '../src/pprof/index.js'
import { cpuProfileToPprof } from '../src/pprof/self-profile.js'
import { childMain, isChildRun, runInChild } from './child.js'
import type { Benchmark } from './types.js'

const GOAL_RATIO = 1.1
const MIN_INFLATED_BYTES = 1024 * 1024
const ROUNDS = 8
const DECODES_PER_ROUND = 5

interface DecodeFigures {
  readonly inflatedBytes: number
  readonly gzippedBytes: number
  readonly samples: number
  /** Milliseconds per decode. */
  readonly offMs: number
  readonly onMs: number
  /** The budget walk alone. */
  readonly walkMs: number
  /** What the walk estimated the decoded profile to take. */
  readonly estimatedBytes: number
  /** Milliseconds of CPU per inflate and walk: gunzipSync then the walk, and streaming with the walk (inflateMetered). */
  readonly gunzipMs: number
  readonly meteredInflateMs: number
}

/** The sources under src/, relative to the compiled bench (dist/bench → ../../src). */
async function sourceFiles(): Promise<string[]> {
  const root = fileURLToPath(new URL('../../src', import.meta.url))
  const entries = await readdir(root, { recursive: true })
  return entries.filter((f) => f.endsWith('.ts')).map((f) => join(root, f))
}

/** A real profile of real work: the compiler type-checking the project, until the pprof passes 1 MB. */
async function realLargeProfile(): Promise<Uint8Array> {
  const files = await sourceFiles()
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 50 })
  for (let attempt = 1; ; attempt++) {
    const startedAtMs = Date.now()
    await session.post('Profiler.start')
    for (let i = 0; i < attempt; i++) {
      const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true })
      ts.getPreEmitDiagnostics(program)
    }
    const { profile } = (await session.post('Profiler.stop')) as { profile: Profiler.Profile }
    const raw = cpuProfileToPprof(profile, startedAtMs, 50).encode()
    if (raw.length >= MIN_INFLATED_BYTES || attempt >= 4) {
      session.disconnect()
      return raw
    }
  }
}

async function measure(): Promise<DecodeFigures> {
  const raw = await realLargeProfile()
  const gzipped = gzipSync(raw)
  const off = (): void => {
    Profile.decode(raw)
  }
  const on = (): void => {
    const measured = measureProfile(raw, gzipped.length)
    if (!measured.ok) throw new Error(`the real profile was refused: ${measured.reason}`)
    Profile.decode(raw)
  }
  const timed = (fn: () => void): number => {
    const started = performance.now()
    for (let i = 0; i < DECODES_PER_ROUND; i++) fn()
    return performance.now() - started
  }
  const walk = (): void => {
    measureProfile(raw, gzipped.length)
  }
  timed(off)
  timed(on)
  timed(walk)
  let offMs = 0
  let onMs = 0
  let walkMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      offMs += timed(off)
      onMs += timed(on)
    } else {
      onMs += timed(on)
      offMs += timed(off)
    }
    walkMs += timed(walk)
  }
  const measured = measureProfile(raw, gzipped.length)
  const decodes = ROUNDS * DECODES_PER_ROUND
  const inflate = await measureInflate(gzipped)
  return { inflatedBytes: raw.length, gzippedBytes: gzipped.length, samples: Profile.decode(raw).sample.length, offMs: offMs / decodes, onMs: onMs / decodes, walkMs: walkMs / decodes, estimatedBytes: measured.ok ? measured.decodedBytes : 0, ...inflate }
}

/**
 * The streaming inflate with the walk against what it replaced, gunzipSync and then the walk over the whole,
 * in alternating rounds (CPU time: zlib's thread pool counts).
 */
async function measureInflate(gzipped: Buffer): Promise<{ gunzipMs: number; meteredInflateMs: number }> {
  const plain = async (): Promise<void> => {
    measureProfile(gunzipSync(gzipped), gzipped.length)
  }
  const metered = async (): Promise<void> => {
    const result = await inflateMetered(gzipped, 256 * 1024 * 1024, new ProfileMeter(gzipped.length))
    if (!result.ok) throw new Error(`the real profile was refused: ${'refusal' in result ? result.refusal.reason : result.reason}`)
  }
  const cpuMs = async (fn: () => Promise<void>): Promise<number> => {
    const before = process.cpuUsage()
    for (let i = 0; i < DECODES_PER_ROUND; i++) await fn()
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000
  }
  await cpuMs(plain)
  await cpuMs(metered)
  let gunzipMs = 0
  let meteredInflateMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [plain, metered] : [metered, plain]
    for (const fn of order) {
      const ms = await cpuMs(fn)
      if (fn === plain) gunzipMs += ms
      else meteredInflateMs += ms
    }
  }
  const runs = ROUNDS * DECODES_PER_ROUND
  return { gunzipMs: gunzipMs / runs, meteredInflateMs: meteredInflateMs / runs }
}

export const run: Benchmark = async () => {
  const f = await runInChild<DecodeFigures>(import.meta.url, { timeoutMs: 180_000 })
  const mb = f.inflatedBytes / 1e6
  const ratio = f.onMs / f.offMs
  const what = `${mb.toFixed(2)} MB real CPU profile (${f.samples} samples, ${(f.gzippedBytes / 1024).toFixed(0)} KiB gzipped)`
  return [
    {
      name: `decode throughput of a ${what}, budget checks on (floor: checks off)`,
      value: round(mb / (f.onMs / 1000)),
      unit: 'MB/s',
      floor: round(mb / (f.offMs / 1000)),
      ratio: round(ratio),
      goal: `time <= ${GOAL_RATIO}x checks off`,
      pass: ratio <= GOAL_RATIO && f.inflatedBytes >= MIN_INFLATED_BYTES
    },
    {
      name: `the budget walk alone on the same profile (estimated decoded size ${(f.estimatedBytes / 1e6).toFixed(1)} MB; informative)`,
      value: round(mb / (f.walkMs / 1000)),
      unit: 'MB/s'
    },
    {
      name: 'inflating the same profile piece by piece with the budget walk, CPU (floor: gunzipSync, then the walk; informative)',
      value: round(mb / (f.meteredInflateMs / 1000)),
      unit: 'MB/s',
      floor: round(mb / (f.gunzipMs / 1000)),
      ratio: round(f.meteredInflateMs / f.gunzipMs)
    }
  ]
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}

if (isChildRun(import.meta.url)) childMain(measure)
