/**
 * The identity of a sample across two scrapes of the same target: its call stack (each location as
 * function name, file and line of every inlined frame, or the address when it has no line info) plus
 * its labels. Location and function ids are per-profile numbering and do not survive between scrapes,
 * so they never appear in a key.
 *
 * Keys are hashed to 128 bits (as Alloy's fastdelta does with murmur3) so that the state kept between
 * scrapes costs a fixed KEY_BYTES per sample whatever the stack depth. A key is those bytes as a string of
 * one-byte characters, so that it can be a Map key and be packed as it is (delta-state.ts).
 */
import { createHash } from 'node:crypto'
import type { Function as PprofFunction, Location, Profile, Sample } from 'pprof-format'
import { idKey } from './structure.js'

type Numeric = number | bigint

/** Bytes of a sample key. */
export const KEY_BYTES = 16

/** Returns a function giving each sample of `profile` its cross-scrape identity. */
export function createSampleKeyer(profile: Profile): (sample: Sample) => string {
  const strings = profile.stringTable.strings
  const str = (i: Numeric): string => strings[Number(i)] ?? ''
  const functions = new Map<number | bigint, PprofFunction>()
  for (const fn of profile.function) functions.set(idKey(fn.id), fn)
  const locations = new Map<number | bigint, Location>()
  for (const loc of profile.location) locations.set(idKey(loc.id), loc)
  const frameCache = new Map<number | bigint, string>()

  const frames = (locationId: Numeric): string => {
    const key = idKey(locationId)
    let text = frameCache.get(key)
    if (text === undefined) {
      text = describeLocation(locations.get(key), functions, str)
      frameCache.set(key, text)
    }
    return text
  }

  return (sample) => {
    let text = ''
    for (const id of sample.locationId) text += `${frames(id)}\n`
    if (sample.label.length > 0) text += `\0${sortedLabels(sample, str).join('\n')}`
    // One update per sample: crossing into the hash binding is what costs, not the bytes.
    // 128 bits are plenty against collisions among one target's samples.
    return createHash('sha256').update(text).digest().toString('latin1', 0, KEY_BYTES)
  }
}

function describeLocation(
  loc: Location | undefined,
  functions: ReadonlyMap<number | bigint, PprofFunction>,
  str: (i: Numeric) => string
): string {
  if (loc === undefined) return '?'
  if (loc.line.length === 0) return `@${loc.address.toString(16)}`
  return loc.line
    .map((line) => {
      const fn = functions.get(idKey(line.functionId))
      return fn === undefined ? `?:${line.line}` : `${str(fn.name)}\t${str(fn.filename)}:${line.line}`
    })
    .join('|')
}

function sortedLabels(sample: Sample, str: (i: Numeric) => string): string[] {
  if (sample.label.length === 0) return []
  return sample.label
    .map((l) => (Number(l.str) !== 0 ? `${str(l.key)}=${str(l.str)}` : `${str(l.key)}#${l.num}${str(l.numUnit)}`))
    .sort()
}
