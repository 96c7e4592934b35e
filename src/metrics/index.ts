/**
 * Metric helpers over one injected prom-client Registry. Components may be built more than once on the same
 * registry (config reloads, tests), so metrics are looked up before they are created.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

export function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  const existing = registry.getSingleMetric(name)
  if (existing) return existing as Counter<L>
  return new Counter({ name, help, labelNames, registers: [registry] })
}

export function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  const existing = registry.getSingleMetric(name)
  if (existing) return existing as Gauge<L>
  return new Gauge({ name, help, labelNames, registers: [registry] })
}

export function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[]
): Histogram<L> {
  const existing = registry.getSingleMetric(name)
  if (existing) return existing as Histogram<L>
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] })
}

/**
 * Node's process metrics (`process_*`, `nodejs_*`). The event-loop lag is sampled every 50 ms, not
 * prom-client's 10 ms: a timer 100 times a second was about 0.5 % of a core of an idle agent, a fifth of
 * an idle cluster node's cost (docs/operations.md "Metrics names").
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS })
}

const EVENT_LOOP_SAMPLE_MS = 50
