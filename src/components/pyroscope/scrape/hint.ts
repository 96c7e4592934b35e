/**
 * A hint for a scrape that succeeded but holds nothing to look at: a profile without samples (or with only
 * zero values). For Go's block and mutex profiles that usually means the program never turned them on
 * (docs/operations.md).
 */
import type { Profile } from 'pprof-format'

const HOW_TO_ENABLE: Readonly<Record<string, string>> = {
  block: 'a Go program records blocking events only after runtime.SetBlockProfileRate(rate) with rate > 0',
  mutex: 'a Go program records mutex contention only after runtime.SetMutexProfileFraction(rate) with rate > 0'
}

export function emptyProfileHint(profileType: string, profile: Profile): string {
  const empty = profile.sample.every((s) => s.value.every((v) => Number(v) === 0))
  if (!empty) return ''
  const how = HOW_TO_ENABLE[profileType]
  return how === undefined ? 'the profile has no samples' : `the profile has no samples: ${how}`
}
