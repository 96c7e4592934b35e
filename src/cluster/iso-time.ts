/** Epoch milliseconds as RFC 3339 text, as logs and the cluster view show instants. */
export function isoTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString()
}
