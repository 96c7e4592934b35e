/**
 * `shardscope targets CONFIG`: the scrape URLs the config yields, one per line, grouped per target with a
 * blank line between targets (as the reference doc's examples print them). `--format json` adds the labels
 * and the ring key. discovery.http components are fetched once.
 */
import { createHttpClient, redactUrl } from '../http/index.js'
import type { HttpClient } from '../http/index.js'
import { formatDiagnostic } from '../syntax/index.js'
import { createKeyHasher } from '../util/label-hash.js'
import type { KeyHasher } from '../util/label-hash.js'
import { OwnershipPlanner } from '../cluster/index.js'
import { refreshHttpSd } from '../components/discovery/index.js'
import type { DiscoveryHttpArguments } from '../components/discovery/index.js'
import { toExpansionConfig } from '../components/pyroscope/scrape/index.js'
import type { ScrapeArguments } from '../components/pyroscope/scrape/index.js'
import { phaseMs } from '../components/pyroscope/scrape/index.js'
import { expandTargets } from '../components/pyroscope/scrape/index.js'
import type { ScrapeTarget } from '../components/pyroscope/scrape/index.js'
import { makeObject } from '../syntax/index.js'
import { formatLabels } from '../util/labels.js'
import type { CommandIO } from './check.js'
import { ConfigError, defaultControllerOptions, formatWarnings, loadConfigSources, readConfigSources } from './load.js'
import { withScopeLabels } from '../components/pyroscope/scrape/index.js'

export interface TargetsOptions {
  readonly format: 'text' | 'json'
  /** `--cluster-peers a,b,c`: show which of these nodes (all participants) would scrape each URL. */
  readonly clusterPeers?: readonly string[]
  readonly discoveryTimeoutMs?: number
}

export interface ComponentTargets {
  readonly component: string
  readonly scrapes: readonly ScrapeTarget[]
  readonly dropped: readonly { labels: Record<string, string>; reason: string }[]
  readonly scrapeIntervalMs: number
}

export interface ResolvedTargets {
  readonly components: readonly ComponentTargets[]
  /** The hasher the keys were computed with (reused for the ownership dry run). */
  readonly hasher: KeyHasher
}

/** Loads the config, fetches discovery once, and expands every pyroscope.scrape component. */
export async function resolveTargets(path: string, io: CommandIO, discoveryTimeoutMs = 10_000): Promise<ResolvedTargets> {
  const result = loadConfigSources(await readConfigSources(path), defaultControllerOptions(), 'check')
  for (const w of formatWarnings(result)) io.stderr(w)
  const controller = result.controller
  const hasher = await createKeyHasher()
  if (!controller) return { components: [], hasher }

  for (const node of controller.order) {
    const loaded = controller.components.get(node.id)
    if (!loaded) continue
    if (node.definition.name === 'discovery.http') {
      const args = loaded.args as DiscoveryHttpArguments
      let client: HttpClient | undefined
      try {
        client = createHttpClient(args.http_client)
        const targets = await refreshHttpSd(client, args.url, AbortSignal.timeout(discoveryTimeoutMs), args.refresh_interval_ms)
        loaded.exports = makeObject([['targets', targets]])
      } catch (err) {
        io.stderr(`${node.id}: discovery failed, using no targets from it: ${(err as Error).message}`)
      } finally {
        await client?.close()
      }
      continue
    }
    // Re-decode with the discovered exports now in scope.
    const again = controller.decode(node)
    if (again.diagnostics.length > 0) throw new ConfigError(again.diagnostics.map(formatDiagnostic).join('\n'), again.diagnostics)
    loaded.args = again.args
  }

  const out: ComponentTargets[] = []
  for (const node of controller.order) {
    if (node.definition.name !== 'pyroscope.scrape') continue
    const args = controller.components.get(node.id)?.args as ScrapeArguments
    const expanded = expandTargets(args.targets, toExpansionConfig(args), hasher)
    for (const d of expanded.duplicates) io.stderr(`${node.id}: duplicate target ignored: ${formatLabels(d)}`)
    out.push({ component: node.id, scrapes: expanded.scrapes, dropped: expanded.dropped, scrapeIntervalMs: args.scrape_interval_ms })
  }
  return { components: out, hasher }
}

/**
 * Owner of each target key per component, with the runtime's planner and every named peer a participant.
 * Each component is planned on its own key set, as each pyroscope.scrape component is at run time.
 */
function ownersByComponent(components: readonly ComponentTargets[], hasher: KeyHasher, peers: readonly string[]): Map<string, Map<bigint, string>> {
  const planner = new OwnershipPlanner(hasher)
  const members = peers.map((name) => ({ name, state: 'participant' as const, handoffAt: undefined }))
  return new Map(components.map((c) => [c.component, planner.ownersAt(members, c.scrapes.map((s) => s.key), 0)]))
}

export async function runTargets(path: string, options: TargetsOptions, io: CommandIO): Promise<number> {
  const { components, hasher } = await resolveTargets(path, io, options.discoveryTimeoutMs)
  const peers = options.clusterPeers ?? []
  const owners = peers.length > 0 ? ownersByComponent(components, hasher, peers) : undefined
  const ownerOf = (component: string, key: bigint): string | undefined => owners?.get(component)?.get(key)
  for (const c of components) for (const d of c.dropped) io.stderr(`${c.component}: target dropped (${d.reason}): ${formatLabels(d.labels)}`)
  if (options.format === 'json') {
    const rows = components.flatMap((c) =>
      c.scrapes.map((s) => ({
        component: c.component,
        url: redactUrl(s.url),
        profile_type: s.profileType,
        key: s.key.toString(16).padStart(16, '0'),
        // Offset of the target's scrapes within each interval on the wall clock (docs/scrape-timing.md).
        phase_ms: phaseMs(s.key, c.scrapeIntervalMs),
        // What the scrape hands to forward_to, scope labels included.
        labels: withScopeLabels(s.forwardLabels),
        target_labels: s.labels,
        ...(owners ? { owner: ownerOf(c.component, s.key) ?? null } : {})
      }))
    )
    io.stdout(JSON.stringify(rows, null, 2))
    return 0
  }
  const lines: string[] = []
  for (const c of components) {
    if (components.length > 1) lines.push(`# ${c.component}`)
    let previousKey: bigint | undefined
    for (const s of c.scrapes) {
      if (previousKey !== undefined && s.key !== previousKey) lines.push('')
      lines.push(owners ? `${redactUrl(s.url)}  # owner=${ownerOf(c.component, s.key) ?? '(none)'}` : redactUrl(s.url))
      previousKey = s.key
    }
    if (components.length > 1) lines.push('')
  }
  io.stdout(lines.join('\n').replace(/\n+$/, ''))
  return 0
}
