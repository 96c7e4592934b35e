/**
 * The soak's scripted churn, scaled to its duration. Pure: the runner executes the steps at `atMs` after the
 * measured window opens (a step that needs longer than planned delays the ones after it; the log says so).
 *
 * One cycle of every kind of change, with steady stretches between them so their effects do not overlap:
 * joins of the agents beyond the first three, a kill -9 and a later restart, a graceful leave (SIGTERM) and
 * a later restart, a receiver restart with a few seconds down, and a flap of a tenth of the targets (503).
 * Long runs (≥ 3 minutes, ≥ 4 agents) add a second kill -9 and restart near the end.
 */
export type SoakAction =
  | { readonly kind: 'join'; readonly node: string }
  | { readonly kind: 'kill'; readonly node: string }
  | { readonly kind: 'leave'; readonly node: string }
  | { readonly kind: 'restart'; readonly node: string }
  | { readonly kind: 'receiver-restart'; readonly downMs: number }
  | { readonly kind: 'flap'; readonly targets: number; readonly forMs: number }

export interface SoakStep {
  readonly atMs: number
  readonly action: SoakAction
}

/** Agents running when the measured window opens. */
export const INITIAL_AGENTS = 3
const RECEIVER_DOWN_MS = 4_000

export function agentNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `a${i + 1}`)
}

export function soakSchedule(durationMs: number, agents: number, targets: number, intervalMs: number): SoakStep[] {
  if (agents < INITIAL_AGENTS) throw new RangeError(`the soak needs at least ${INITIAL_AGENTS} agents, got ${agents}`)
  const at = (fraction: number): number => Math.round(durationMs * fraction)
  const joiners = agentNames(agents).slice(INITIAL_AGENTS)
  const steps: SoakStep[] = joiners.map((node, i) => ({ atMs: at(0.06 + 0.08 * i), action: { kind: 'join', node } }))
  steps.push(
    { atMs: at(0.25), action: { kind: 'kill', node: 'a2' } },
    { atMs: at(0.4), action: { kind: 'restart', node: 'a2' } },
    { atMs: at(0.5), action: { kind: 'leave', node: 'a3' } },
    { atMs: at(0.6), action: { kind: 'restart', node: 'a3' } },
    { atMs: at(0.7), action: { kind: 'receiver-restart', downMs: RECEIVER_DOWN_MS } },
    { atMs: at(0.8), action: { kind: 'flap', targets: Math.max(1, Math.round(targets / 10)), forMs: 3 * intervalMs } }
  )
  if (durationMs >= 180_000 && agents >= 4) {
    steps.push({ atMs: at(0.88), action: { kind: 'kill', node: 'a4' } }, { atMs: at(0.94), action: { kind: 'restart', node: 'a4' } })
  }
  return steps.sort((a, b) => a.atMs - b.atMs)
}

export function describeAction(action: SoakAction): string {
  switch (action.kind) {
    case 'join':
      return `join ${action.node}`
    case 'kill':
      return `kill -9 ${action.node}`
    case 'leave':
      return `SIGTERM ${action.node} (graceful leave)`
    case 'restart':
      return `restart ${action.node}`
    case 'receiver-restart':
      return `restart the receiver (${action.downMs} ms down)`
    case 'flap':
      return `flap ${action.targets} target(s) (503 for ${action.forMs} ms)`
  }
}
