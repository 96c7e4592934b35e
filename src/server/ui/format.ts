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
