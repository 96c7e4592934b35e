/** A label set: label name → value. Plain data, never mutated once built. */
export type Labels = Readonly<Record<string, string>>

/** Labels sorted by name, as Prometheus and Pyroscope order them. */
export function sortedLabelEntries(labels: Labels): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/** Renders `{a="1", b="2"}` for logs and messages. */
export function formatLabels(labels: Labels): string {
  return `{${sortedLabelEntries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`
}
