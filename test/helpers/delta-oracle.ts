/**
 * An independent reading of cumulative profiles, the oracle client-side deltas are checked against:
 * sample identity as readable text (functions, files, lines, labels) → summed values, and the delta two
 * readings must give.
 */
import type { Profile } from 'pprof-format'

export function readSamples(profile: Profile): Map<string, bigint[]> {
  const str = (i: number | bigint): string => profile.stringTable.strings[Number(i)] ?? ''
  const fns = new Map(profile.function.map((f) => [Number(f.id), f]))
  const locs = new Map(profile.location.map((l) => [Number(l.id), l]))
  const frames = new Map<number, string>()
  const frame = (id: number): string => {
    let text = frames.get(id)
    if (text === undefined) {
      const loc = locs.get(id)
      text = (loc?.line ?? []).map((line) => `${str(fns.get(Number(line.functionId))?.name ?? 0)} ${str(fns.get(Number(line.functionId))?.filename ?? 0)}:${line.line}`).join('|')
      frames.set(id, text)
    }
    return text
  }
  const out = new Map<string, bigint[]>()
  for (const sample of profile.sample) {
    const stack = sample.locationId.map((id) => frame(Number(id)))
    const labels = sample.label.map((l) => `${str(l.key)}=${str(l.str)}${l.num}${str(l.numUnit)}`).sort()
    const key = `${stack.join(';')} {${labels.join(',')}}`
    const values = sample.value.map((v) => BigInt(v))
    const sum = out.get(key)
    out.set(key, sum === undefined ? values : sum.map((v, i) => v + (values[i] ?? 0n)))
  }
  return out
}

/** Indices of the sample types named `names`. */
export function deltaIndices(profile: Profile, names: readonly string[]): number[] {
  return profile.sampleType.flatMap((vt, i) => (names.includes(profile.stringTable.strings[Number(vt.type)] ?? '') ? [i] : []))
}

/** What the delta must contain: b − a on the delta indices, b elsewhere, all-zero samples left out. */
export function expectedDelta(a: Map<string, bigint[]>, b: Map<string, bigint[]>, indices: number[]): Map<string, bigint[]> {
  const out = new Map<string, bigint[]>()
  for (const [key, now] of b) {
    const before = a.get(key)
    const diffs = indices.map((i) => (now[i] ?? 0n) - (before?.[i] ?? 0n))
    const values = [...now]
    if (before !== undefined && diffs.every((d) => d >= 0n)) indices.forEach((idx, n) => (values[idx] = diffs[n] ?? 0n))
    if (values.some((v) => v !== 0n)) out.set(key, values)
  }
  return out
}
