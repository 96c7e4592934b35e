/**
 * pyroscope.write metrics. Names follow Alloy's `write/metrics.go` (`pyroscope_write_*`) so dashboards carry
 * over; `dropped_profiles_total` gains a `reason` label (docs/components.md "pyroscope.write").
 *
 * Several pyroscope.write components (and re-evaluations of one) share a Registry, so every metric is looked
 * up before it is created: creating it twice would throw in prom-client.
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'

/** Why a profile did not reach an endpoint. Each profile ends as `sent` or exactly one of these, per endpoint. */
export type DropReason = 'queue_full' | 'retries_exhausted' | 'rejected' | 'shutdown' | 'invalid_labels'

export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'retries_exhausted', 'rejected', 'shutdown', 'invalid_labels']

export interface WriteMetrics {
  readonly sent: Counter<'endpoint'>
  readonly sentBytes: Counter<'endpoint'>
  readonly dropped: Counter<'endpoint' | 'reason'>
  readonly droppedBytes: Counter<'endpoint' | 'reason'>
  readonly retries: Counter<'endpoint'>
  readonly queueLength: Gauge<'endpoint'>
  readonly pushDuration: Histogram<'endpoint'>
}

export function createWriteMetrics(registry: Registry): WriteMetrics {
  return {
    sent: counter(registry, 'pyroscope_write_sent_profiles_total', 'Profiles pushed successfully, per endpoint.', ['endpoint']),
    dropped: counter(
      registry,
      'pyroscope_write_dropped_profiles_total',
      'Profiles that did not reach an endpoint, by reason (queue_full, retries_exhausted, rejected, shutdown, invalid_labels).',
      ['endpoint', 'reason']
    ),
    sentBytes: counter(registry, 'pyroscope_write_sent_bytes_total', 'Bytes of push request bodies delivered, per endpoint.', ['endpoint']),
    droppedBytes: counter(registry, 'pyroscope_write_dropped_bytes_total', 'Bytes of push request bodies dropped, per endpoint and reason.', ['endpoint', 'reason']),
    retries: counter(registry, 'pyroscope_write_retries_total', 'Push attempts after the first, per endpoint.', ['endpoint']),
    queueLength: existing(registry, 'pyroscope_write_queue_length', Gauge) ??
      new Gauge({ name: 'pyroscope_write_queue_length', help: 'Profiles waiting to be pushed, per endpoint.', labelNames: ['endpoint'], registers: [registry] }),
    pushDuration: existing(registry, 'pyroscope_write_push_duration_seconds', Histogram) ??
      new Histogram({
        name: 'pyroscope_write_push_duration_seconds',
        help: 'Duration of one push attempt, per endpoint.',
        labelNames: ['endpoint'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry]
      })
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return existing(registry, name, Counter) ?? new Counter({ name, help, labelNames, registers: [registry] })
}

/** The metric already registered under `name`, when it has the expected kind (a different kind is a naming bug: let creation throw). */
function existing<M>(registry: Registry, name: string, kind: abstract new (...args: never[]) => M): M | undefined {
  const metric: unknown = registry.getSingleMetric(name)
  return metric instanceof kind ? metric : undefined
}
