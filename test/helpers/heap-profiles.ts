/**
 * Large cumulative heap profiles (the shape of Go's `/debug/pprof/allocs`) for delta tests: a run of
 * snapshots of one imaginary process, each with more allocations than the last. Built with pprof-format;
 * deterministic. Function and location ids are renumbered in every snapshot, as two scrapes of a real
 * process may number them, so only names, files and lines identify a stack.
 */
import { Profile } from 'pprof-format'
import type { SampleInput } from 'pprof-format'

export interface HeapSnapshotOptions {
  /** Distinct stacks in the first snapshot; each later one adds a twentieth more. */
  readonly samples: number
  /** Frames per stack. */
  readonly depth: number
  readonly snapshots: number
  /** Functions the stacks are drawn from. */
  readonly functions?: number
}

/** `snapshots` cumulative heap profiles, 10 s apart; in each, a third of the stacks allocated again. */
export function heapSnapshots(opts: HeapSnapshotOptions): Profile[] {
  const functions = opts.functions ?? 2_000
  const stacks = stackTable(opts.samples + Math.ceil(opts.samples / 20) * opts.snapshots, opts.depth, functions)
  const out: Profile[] = []
  for (let round = 0; round < opts.snapshots; round++) {
    const idBase = round * 100_000
    const strings = new Profile().stringTable
    const sampleType = [
      ['alloc_objects', 'count'],
      ['alloc_space', 'bytes'],
      ['inuse_objects', 'count'],
      ['inuse_space', 'bytes']
    ].map(([type, unit]) => ({ type: strings.dedup(type ?? ''), unit: strings.dedup(unit ?? '') }))
    const fns = Array.from({ length: functions }, (_, f) => ({
      id: idBase + f + 1,
      name: strings.dedup(`example.com/service/pkg${f % 40}.Func${f}`),
      systemName: 0,
      filename: strings.dedup(`/src/example.com/service/pkg${f % 40}/file${f % 150}.go`)
    }))
    const locations = Array.from({ length: functions }, (_, f) => ({ id: idBase + f + 1, address: 0x400000 + f * 16, line: [{ functionId: idBase + f + 1, line: 10 + (f % 300) }] }))
    const count = opts.samples + Math.ceil(opts.samples / 20) * round
    const sample = Array.from({ length: count }, (_, i): SampleInput => {
      // Stack i allocated once in every round it was part of the third chosen for that round.
      const times = 1 + Math.floor((round + (i % 3)) / 3)
      const objects = times * (1 + (i % 7))
      const live = i % 5 === 0 ? 1 + (i % 3) : 0
      return { locationId: (stacks[i] ?? []).map((f) => idBase + f + 1), value: [objects, objects * 64, live, live * 64] }
    })
    out.push(new Profile({ sampleType, sample, location: locations, function: fns, stringTable: strings, timeNanos: 1_700_000_000_000_000_000n + BigInt(round) * 10_000_000_000n, period: 524_288 }))
  }
  return out
}

/** `count` stacks of `depth` function indices, from a fixed-seed generator. */
function stackTable(count: number, depth: number, functions: number): number[][] {
  let seed = 0x2545f491
  const next = (): number => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) % functions
  }
  return Array.from({ length: count }, () => Array.from({ length: depth }, next))
}
