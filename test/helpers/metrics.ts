/** Reads a metric's value from a prom-client Registry, summed over the series that match `labels`. */
import type { Registry } from 'prom-client'

export async function metricSum(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (!metric) return 0
  const data = await metric.get()
  return data.values
    .filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want))
    .filter((v) => !('metricName' in v) || v.metricName === name || v.metricName === undefined)
    .reduce((sum, v) => sum + v.value, 0)
}
