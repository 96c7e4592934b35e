/**
 * Referential checks on a decoded profile, the ones Go's `profile.CheckValid` makes and that Pyroscope
 * relies on: a profile that passes them can be merged, deltaed and symbolised without surprises.
 * One pass over each table, no copies.
 */
import type { Profile } from 'pprof-format'

type Numeric = number | bigint

/** Returns why the profile is inconsistent, or undefined. */
export function checkProfileStructure(profile: Profile): string | undefined {
  const strings = profile.stringTable.strings
  if (strings.length === 0 || strings[0] !== '') return 'string_table[0] must be the empty string'
  if (profile.sampleType.length === 0) return 'missing sample type information'
  const inStrings = (index: Numeric): boolean => Number(index) >= 0 && Number(index) < strings.length
  for (const vt of profile.sampleType) {
    if (!inStrings(vt.type) || !inStrings(vt.unit)) return 'sample type refers to a missing string'
  }
  const functionIds = collectIds(profile.function, 'function')
  if (typeof functionIds === 'string') return functionIds
  for (const fn of profile.function) {
    if (!inStrings(fn.name) || !inStrings(fn.systemName) || !inStrings(fn.filename)) {
      return `function ${fn.id} refers to a missing string`
    }
  }
  const mappingIds = collectIds(profile.mapping, 'mapping')
  if (typeof mappingIds === 'string') return mappingIds
  const locationIds = collectIds(profile.location, 'location')
  if (typeof locationIds === 'string') return locationIds
  for (const loc of profile.location) {
    if (!isZero(loc.mappingId) && !mappingIds.has(idKey(loc.mappingId))) {
      return `location ${loc.id} refers to missing mapping ${loc.mappingId}`
    }
    for (const line of loc.line) {
      if (!functionIds.has(idKey(line.functionId))) return `location ${loc.id} refers to missing function ${line.functionId}`
    }
  }
  const valueCount = profile.sampleType.length
  for (const [i, sample] of profile.sample.entries()) {
    if (sample.value.length !== valueCount) {
      return `sample ${i} has ${sample.value.length} values, expected ${valueCount}`
    }
    for (const id of sample.locationId) {
      if (!locationIds.has(idKey(id))) return `sample ${i} refers to missing location ${id}`
    }
    for (const label of sample.label) {
      if (!inStrings(label.key) || !inStrings(label.str) || !inStrings(label.numUnit)) {
        return `sample ${i} has a label that refers to a missing string`
      }
    }
  }
  return undefined
}

/** A Map/Set key that is the same for `5` and `5n`. */
export function idKey(id: Numeric): number | bigint {
  return typeof id === 'bigint' && id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id
}

function isZero(id: Numeric): boolean {
  return id === 0 || id === 0n
}

function collectIds(items: readonly { id: Numeric }[], what: string): Set<number | bigint> | string {
  const ids = new Set<number | bigint>()
  for (const item of items) {
    if (isZero(item.id)) return `${what} with id 0`
    const key = idKey(item.id)
    if (ids.has(key)) return `duplicate ${what} id ${item.id}`
    ids.add(key)
  }
  return ids
}
