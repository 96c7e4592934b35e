/** The metrics of the scrape pools, shared by their loops, profile appender and fan-out (docs/operations.md). */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { counter, gauge, histogram } from '../../../metrics/index.js'

export interface PoolMetrics {
  readonly scrapes: Counter<'component' | 'profile_type' | 'result'>
  readonly deltaState: Gauge<'component'>
  readonly duration: Histogram<'component' | 'profile_type'>
  readonly fanout: Histogram<'component'>
}

export function poolMetrics(m: Registry): PoolMetrics {
  return {
    scrapes: counter(m, 'shardscope_scrapes_total', 'Scrapes by component, profile type and result (success, failure, skipped, missed, forward_failed).', ['component', 'profile_type', 'result']),
    deltaState: gauge(m, 'shardscope_scrape_delta_state_bytes', 'Estimated bytes of client-side delta baselines held, by component.', ['component']),
    duration: histogram(m, 'shardscope_scrape_duration_seconds', 'Duration of scrapes.', ['component', 'profile_type'], [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]),
    fanout: histogram(m, 'pyroscope_fanout_latency', 'Write latency for sending to direct and indirect components.', ['component'], [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5])
  }
}
