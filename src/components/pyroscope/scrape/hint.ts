/**
 * A hint for a scrape that succeeded but holds nothing to look at: a profile without samples (or with only
 * zero values). For Go's block and mutex profiles that usually means the program never turned them on
 * (docs/operations.md).
 */
const HOW_TO_ENABLE: Readonly<Record<string, string>> = {
  block: 'a Go program records blocking events only after runtime.SetBlockProfileRate(rate) with rate > 0',
  mutex: 'a Go program records mutex contention only after runtime.SetMutexProfileFraction(rate) with rate > 0'
}

/** `empty`: the check found no sample with a non-zero value (so the profile need not be decoded here). */
export function emptyProfileHint(profileType: string, empty: boolean): string {
  if (!empty) return ''
  const how = HOW_TO_ENABLE[profileType]
  return how === undefined ? 'the profile has no samples' : `the profile has no samples: ${how}`
}
