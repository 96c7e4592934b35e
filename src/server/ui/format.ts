/** Pure formatting for the UI: relative times and short durations. */

/** "12s ago", "3m ago", "2h ago", "4d ago"; "never" for null; "in 5s" for a time ahead of `nowMs`. */
export function relativeTime(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never'
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return iso
  const deltaMs = nowMs - at
  const text = shortSpan(Math.abs(deltaMs))
  return deltaMs >= 0 ? `${text} ago` : `in ${text}`
}

function shortSpan(ms: number): string {
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m`
  if (s < 86_400) return `${Math.floor(s / 3600)}h`
  return `${Math.floor(s / 86_400)}d`
}

/** Scrape durations: "850ms", "1.25s"; empty when unknown. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return ''
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`
  return `${Number(seconds.toFixed(2))}s`
}

const UNIT_STEPS: Readonly<Record<string, readonly (readonly [number, string])[]>> = {
  bytes: [[1024 ** 4, 'TiB'], [1024 ** 3, 'GiB'], [1024 ** 2, 'MiB'], [1024, 'KiB']],
  nanoseconds: [[3600e9, 'h'], [60e9, 'min'], [1e9, 's'], [1e6, 'ms'], [1e3, 'µs']]
}

/** A profile value in its unit: "1.50 MiB", "2.30 s", "1,234" (counts); the flame page script does the same. */
export function formatValue(value: number, unit: string): string {
  for (const [size, name] of UNIT_STEPS[unit] ?? []) if (value >= size) return `${(value / size).toFixed(2)} ${name}`
  if (unit === 'bytes') return `${value} B`
  if (unit === 'nanoseconds') return `${value} ns`
  return `${value.toLocaleString('en-US')}${unit !== '' && unit !== 'count' ? ` ${unit}` : ''}`
}

/** Sizes of files and bodies: "812 B", "14.2 KiB", "3.1 MiB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
}
