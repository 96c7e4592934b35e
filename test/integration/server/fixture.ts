/**
 * A plain-data AgentView for the server tests, and a helper that starts the server on 127.0.0.1:0. Secrets sit inside component arguments as real `Secret` values.
 */
import { Registry } from 'prom-client'
import { startServer } from '../../../src/server/index.js'
import type { ClusterViewData as ClusterView } from '../../../src/cluster/index.js'
import type { AgentView, ComponentDetail, ComponentView, TargetView } from '../../../src/server/index.js'
import { Secret } from '../../../src/syntax/value.js'
import type { Clock } from '../../../src/util/clock.js'
import { silentLogger } from '../../../src/util/logger.js'

/** Texts that must never leave the server. */
export const SECRET_TEXTS = ['hunter2-basic-auth-password', 'eyJ-bearer-token-value'] as const

export const NOW_MS = Date.parse('2024-05-01T12:00:30.000Z')

/** ISO time `secondsAgo` before NOW_MS. */
export function isoAgo(secondsAgo: number): string {
  return new Date(NOW_MS - secondsAgo * 1000).toISOString()
}

export const fixedClock: Clock = { now: () => NOW_MS, sleep: async () => {} }

export const SCRIPT_LABEL = '<script>alert(1)</script>'

export function upTarget(): TargetView {
  return {
    component: 'pyroscope.scrape.default',
    job: 'api',
    profile_type: 'process_cpu',
    url: 'http://127.0.0.1:6060/debug/pprof/profile?seconds=14',
    health: 'up',
    last_error: '',
    last_scrape: isoAgo(12),
    last_success: isoAgo(12),
    duration_seconds: 0.25,
    labels: { service_name: 'api', instance: '127.0.0.1:6060', evil: SCRIPT_LABEL }
  }
}

export function downTarget(): TargetView {
  return {
    component: 'pyroscope.scrape.other',
    job: 'worker',
    profile_type: 'memory',
    url: 'http://127.0.0.1:7070/debug/pprof/allocs',
    health: 'down',
    last_error: 'Get "http://127.0.0.1:7070/debug/pprof/allocs": connect ECONNREFUSED 127.0.0.1:7070',
    last_scrape: isoAgo(5),
    last_success: null,
    duration_seconds: 0.001,
    labels: { service_name: 'worker', instance: '127.0.0.1:7070' }
  }
}

export function components(): ComponentView[] {
  return [
    {
      id: 'pyroscope.scrape.default',
      type: 'pyroscope.scrape',
      health: 'healthy',
      health_message: 'started',
      arguments: {
        job_name: 'api',
        http_client_config: {
          basic_auth: { username: 'admin', password: new Secret(SECRET_TEXTS[0]) },
          bearer_token: new Secret(SECRET_TEXTS[1])
        }
      },
      debug: { targets: 1 },
      references: ['pyroscope.write.default'],
      referenced_by: []
    },
    {
      id: 'pyroscope.write.default',
      type: 'pyroscope.write',
      health: 'unhealthy',
      health_message: 'push failed: 503',
      arguments: { endpoint: [{ url: 'http://127.0.0.1:4040' }] },
      debug: null,
      references: [],
      referenced_by: ['pyroscope.scrape.default']
    }
  ]
}

/** The component page's text as the agent renders it (the real rendering is tested in unit/cli/alloy-display). */
export function componentDetail(component: ComponentView): ComponentDetail {
  const scrape = component.type === 'pyroscope.scrape'
  return {
    component,
    arguments_alloy: scrape
      ? 'job_name = "api"\nforward_to = [pyroscope.write.default.receiver]\nbasic_auth {\n\tusername = "admin"\n\tpassword = (secret)\n}\n'
      : 'endpoint {\n\turl = "http://127.0.0.1:4040"\n}\n',
    exports_alloy: scrape ? '' : 'receiver = capsule("ProfilesReceiver")\n'
  }
}

export function enabledCluster(): ClusterView {
  return {
    enabled: true,
    self: { name: 'node-a', peer_id: '12D3KooWA', address: '127.0.0.1:7946', state: 'participant' },
    peers: [
      { name: 'node-b', peer_id: '12D3KooWB', address: '127.0.0.1:7947', http: '127.0.0.1:12346', state: 'participant', last_seen: isoAgo(2) },
      { name: 'node-c', peer_id: '12D3KooWC', address: '127.0.0.1:7948', http: '127.0.0.1:12347', state: 'terminating', last_seen: isoAgo(40) }
    ],
    ownership: { 'node-a': 1, 'node-b': 1, 'node-c': 0 },
    view_version: 7
  }
}

export function disabledCluster(): ClusterView {
  return { enabled: false, self: null, peers: [], ownership: {}, view_version: 0 }
}

/** A view whose parts tests may replace between requests. */
export interface MutableView extends AgentView {
  state: {
    components: ComponentView[]
    targets: TargetView[]
    cluster: ClusterView
    ready: boolean
    healthy: boolean
  }
}

export function fixtureView(): MutableView {
  const state = {
    components: components(),
    targets: [upTarget(), downTarget()],
    cluster: enabledCluster(),
    ready: true,
    healthy: true
  }
  return {
    state,
    components: () => state.components,
    componentDetail: (id) => {
      const found = state.components.find((c) => c.id === id)
      return found && componentDetail(found)
    },
    targets: () => state.targets,
    cluster: () => state.cluster,
    ready: () => state.ready,
    healthy: () => state.healthy
  }
}

export interface TestServer {
  readonly base: string
  readonly port: number
  readonly view: MutableView
  readonly registry: Registry
  close(): Promise<void>
}

/** Starts a server on 127.0.0.1:0; the caller closes it in `after()`. */
export async function startTestServer(view: MutableView = fixtureView(), registry = new Registry()): Promise<TestServer> {
  const server = await startServer({
    listen: '127.0.0.1:0',
    view,
    metrics: registry,
    logger: silentLogger(),
    clock: fixedClock
  })
  return {
    base: `http://127.0.0.1:${server.address.port}`,
    port: server.address.port,
    view,
    registry,
    close: () => server.close()
  }
}
