/**
 * The targets page shows one row per target, not per (target, profile type): the scrape statuses of one
 * target (same component, same origin, same public labels) are gathered, each profile type keeping its own
 * health, error and times, in profile type order. Pure; targets keep the order of their first status.
 */
import type { TargetHealth, TargetView } from '../view.js'

export interface TargetGroup {
  readonly component: string
  readonly job: string
  /** scheme://host:port of the target's URLs (credentials already redacted). */
  readonly origin: string
  /** Labels without the `__` ones (`__name__` differs per type). */
  readonly labels: Readonly<Record<string, string>>
  /** Worst of its types: down if any is down, up if all are up, unknown otherwise. */
  readonly health: TargetHealth
  readonly types: readonly TargetView[]
}

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

function publicLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith('__')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

export function groupTargets(targets: readonly TargetView[]): TargetGroup[] {
  const groups = new Map<string, { group: Omit<TargetGroup, 'health' | 'types'>; types: TargetView[] }>()
  for (const t of targets) {
    const labels = publicLabels(t.labels)
    const origin = originOf(t.url)
    const key = JSON.stringify([t.component, origin, labels])
    const entry = groups.get(key) ?? { group: { component: t.component, job: t.job, origin, labels }, types: [] }
    entry.types.push(t)
    groups.set(key, entry)
  }
  const byType = (a: TargetView, b: TargetView): number => (a.profile_type < b.profile_type ? -1 : a.profile_type > b.profile_type ? 1 : 0)
  return [...groups.values()].map(({ group, types }) => ({ ...group, health: worst(types), types: types.sort(byType) }))
}

function worst(types: readonly TargetView[]): TargetHealth {
  if (types.some((t) => t.health === 'down')) return 'down'
  return types.every((t) => t.health === 'up') ? 'up' : 'unknown'
}
