/**
 * Go's time.ParseDuration / Duration.String for config durations ("15s", "1m30s", "500ms"), in milliseconds.
 * Alloy durations are Go durations, so configs moved from Alloy keep their meaning exactly.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000
}

/** Parses a Go duration string into milliseconds, or returns an error message. */
export function parseDuration(text: string): { ok: true; ms: number } | { ok: false; error: string } {
  const invalid = { ok: false as const, error: `time: invalid duration ${JSON.stringify(text)}` }
  let s = text
  let sign = 1
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1
    s = s.slice(1)
  }
  if (s === '0') return { ok: true, ms: 0 }
  if (s === '') return invalid
  let total = 0
  const part = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/
  while (s.length > 0) {
    const m = part.exec(s)
    if (!m) return invalid
    const [whole, int = '', frac, unit = ''] = m
    if (int === '' && (frac === undefined || frac === '')) return invalid
    const scale = UNIT_MS[unit]
    if (scale === undefined) {
      return { ok: false, error: `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` }
    }
    total += Number(`${int || '0'}.${frac ?? '0'}`) * scale
    s = s.slice(whole.length)
  }
  return { ok: true, ms: sign * total }
}

/** Formats milliseconds the way Go prints a Duration ("15s", "1m30s", "500ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  const sign = ms < 0 ? '-' : ''
  let rest = Math.abs(ms)
  if (rest < 1000) return `${sign}${trim(rest)}ms`
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = rest / 1000
  return `${sign}${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${trim(s)}s`
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)))
}
