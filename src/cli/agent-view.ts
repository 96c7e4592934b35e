/**
 * The debug server's read-only view of a running agent, built from the controller and the cluster at
 * request time. Arguments pass through JSON so that secrets render as "(secret)" and capsules by type.
 */
import { DISABLED_VIEW } from '../cluster/index.js'
import type { ClusterHandle } from '../cluster/index.js'
import type { ScrapeDebugInfo } from '../components/pyroscope/scrape/index.js'
import { isSecretParamName, redactAddress, redactUrl } from '../http/index.js'
import type { Controller } from '../runtime/index.js'
import type { GraphNode } from '../runtime/index.js'
import { Capsule } from '../syntax/index.js'
import type { LatestProfiles } from '../components/pyroscope/scrape/index.js'
import { createProfileViews } from './profile-view.js'
import { argumentsAsAlloy, exportsAsAlloy } from './alloy-display.js'
import type { CapsuleNamer } from './alloy-display.js'
import type { AgentView, ComponentView, ReloadOutcome, TargetView } from '../server/index.js'

export interface AgentState {
  controller: Controller | undefined
  cluster: ClusterHandle | undefined
  /** False once shutdown has begun. */
  running: boolean
  /** Re-reads and applies the config file (`POST /-/reload`). */
  reload?: (reason: string) => Promise<ReloadOutcome>
  /** The last body of each scrape loop, for flame graphs. */
  latestProfiles?: LatestProfiles
}

export function createAgentView(state: AgentState): AgentView {
  return {
    ...createProfileViews(() => state.controller, state.latestProfiles),
    components: () => {
      const c = state.controller
      if (!c) return []
      return c.order.map((node) => componentView(c, node))
    },
    componentDetail: (id) => {
      const c = state.controller
      const node = c?.order.find((n) => n.id === id)
      if (!c || !node) return undefined
      const loaded = c.components.get(id)
      const namer = capsuleNamer(c)
      return {
        component: componentView(c, node),
        arguments_alloy: argumentsAsAlloy(loaded?.values ?? {}, node.definition.arguments, namer),
        exports_alloy: exportsAsAlloy(loaded?.exports ?? {}, () => undefined)
      }
    },
    targets: () => {
      const c = state.controller
      if (!c) return []
      const out: TargetView[] = []
      for (const node of c.order) {
        if (node.definition.name !== 'pyroscope.scrape') continue
        const info = c.components.get(node.id)?.component?.debugInfo?.() as ScrapeDebugInfo | undefined
        for (const t of info?.targets ?? []) {
          out.push({
            component: t.component,
            job: t.job,
            profile_type: t.profile_type,
            url: t.url,
            health: t.health,
            last_error: t.last_error,
            last_scrape: t.last_scrape,
            last_success: t.last_success,
            duration_seconds: t.duration_seconds,
            labels: { ...t.labels },
            id: t.id,
            ...(t.hint !== '' ? { hint: t.hint } : {})
          })
        }
      }
      return out
    },
    cluster: () => state.cluster?.view() ?? DISABLED_VIEW,
    ready: () => state.running && state.controller !== undefined && (state.cluster?.ready() ?? true),
    healthy: () => state.running,
    reload: () => (state.reload ? state.reload('POST /-/reload') : Promise.resolve({ ok: false, message: 'reload is not available' }))
  }
}

function componentView(c: Controller, node: GraphNode): ComponentView {
  const loaded = c.components.get(node.id)
  const health = c.health(node.id)
  return {
    id: node.id,
    type: node.definition.name,
    health: health.state,
    health_message: health.message,
    arguments: displayArguments(loaded?.args ?? null),
    debug: summarizeDebug(loaded?.component?.debugInfo?.()),
    references: [...node.dependencies].sort(),
    referenced_by: c.order.filter((n) => n.dependencies.has(node.id)).map((n) => n.id)
  }
}

/** Receivers print as the export that holds them, e.g. `pyroscope.write.local.receiver`. */
function capsuleNamer(c: Controller): CapsuleNamer {
  const names = new Map<Capsule, string>()
  for (const loaded of c.components.values()) {
    for (const [name, value] of Object.entries(loaded.exports)) if (value instanceof Capsule) names.set(value, `${loaded.id}.${name}`)
  }
  return (capsule) => names.get(capsule)
}

const SECRET_HEADER = /auth|token|key|secret|cookie|password|credential|signature/i
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * Arguments as the API and UI show them. `secret` values already print as "(secret)"; on top of that, URLs
 * lose their passwords and secret-looking query parameters, header values whose names look like credentials
 * are hidden, and so are `params` whose names look secret (they end up in scrape URLs).
 */
export function displayArguments(args: unknown): unknown {
  const text = JSON.stringify(args, (key: string, value: unknown) => {
    if (typeof value === 'string' && URL_LIKE.test(value)) return redactUrl(value)
    if (key === '__address__' && typeof value === 'string') return redactAddress(value)
    if ((key === 'headers' || key === 'params') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const hide = key === 'headers' ? (name: string) => SECRET_HEADER.test(name) : isSecretParamName
      return Object.fromEntries(Object.entries(value).map(([name, v]) => [name, hide(name) ? '(secret)' : v]))
    }
    return value
  })
  return text === undefined ? null : (JSON.parse(text) as unknown)
}

/** The targets list is served by /api/v1/targets; the components API keeps the counts only. */
function summarizeDebug(debug: unknown): unknown {
  if (debug === null || typeof debug !== 'object' || !('targets' in debug)) return debug ?? null
  const { targets, ...rest } = debug as { targets: unknown[] }
  return { ...rest, targets: targets.length }
}
