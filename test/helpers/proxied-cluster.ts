/**
 * A cluster of real agent processes for scenario tests: nodes on loopback addresses of their own behind a
 * fault-injecting proxy (partition-proxy.ts), targets served by one scrape-log server and listed through
 * discovery.http (so the test can change them), profiles pushed to a real receiver. Every node runs the same
 * config and joins the same seeds.
 */
import { setPriority } from 'node:os'
import { createServer } from 'node:http'
import { listenOnLoopback } from './free-port.js'
import type { Listening } from './free-port.js'
import { startPartitionProxy } from './partition-proxy.js'
import type { PartitionProxy } from './partition-proxy.js'
import { startPushServer } from './receiver.js'
import type { PushServer } from './receiver.js'
import { startScrapeLogServer } from './scrape-log-server.js'
import type { ScrapeLogServer } from './scrape-log-server.js'
import { clusterConfig, participants, spawnNode, tempDir, writeConfig } from './spawn-node.js'
import type { NodeProcess } from './spawn-node.js'
import { waitFor } from './wait-for.js'

export interface ProxiedClusterOptions {
  /** Node names, in the order they get addresses; the first `seeds` are the join addresses. */
  readonly names: readonly string[]
  readonly seeds: number
  /** Targets the scrape-log server answers for; discovery serves the first `served` of them. */
  readonly targets: number
  readonly served: number
  readonly intervalMs: number
  readonly refreshMs: number
}

export interface ProxiedCluster {
  readonly proxy: PartitionProxy
  readonly targets: ScrapeLogServer
  readonly nodes: ReadonlyMap<string, NodeProcess>
  /** The targets discovery.http serves now; assign to change them. */
  served: readonly string[]
  start(name: string): NodeProcess
  /** Names of the nodes whose process still runs, sorted. */
  running(): string[]
  /** Waits until every running node lists exactly the running nodes as participants. */
  converged(timeoutMs: number): Promise<void>
  /** Logs of every node and the targets' request log, as JSON lines, for a failure's study. */
  dump(dir: string): Promise<void>
  /** The nodes' warnings of scrape points missed by waking up late, since `sinceMs`: a starved host. */
  lateWakeups(sinceMs: number): string[]
  close(): Promise<void>
}

/** Both profile types of each target, as scrape-log-server.ts names series. */
export function seriesOf(targets: readonly string[]): string[] {
  return targets.flatMap((t) => [`${t}/debug/pprof/goroutine`, `${t}/custom`])
}

/** Resolves once the wall clock passes `ms`. */
export async function until(ms: number): Promise<void> {
  await waitFor(() => Date.now() > ms, { timeoutMs: ms - Date.now() + 5_000, what: `${new Date(ms).toISOString()} to pass` })
}

/** Nodes run at this niceness (lower priority than the test process; see start()). */
const NODE_NICENESS = 10

export async function startProxiedCluster(o: ProxiedClusterOptions): Promise<ProxiedCluster> {
  const targets = await startScrapeLogServer(o.targets)
  const sink: PushServer = await startPushServer()
  const dir = await tempDir('shardscope-cluster-')
  const proxy = await startPartitionProxy(o.names)
  const nodes = new Map<string, NodeProcess>()
  const cluster = { served: targets.targets.slice(0, o.served) as readonly string[] }
  // Prometheus http_sd JSON for the served targets, with the labels scrape-log-server.ts expects.
  const discovery: Listening = await listenOnLoopback(
    createServer((_req, res) => {
      const groups = cluster.served.map((t) => ({ targets: [`127.0.0.1:${targets.port}`], labels: { __profile_path_prefix__: `/${t}`, service_name: t } }))
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(groups))
    })
  )
  const scrape = clusterConfig({ targetsLiteral: 'discovery.http.fleet.targets', receiverUrl: sink.url, interval: `${o.intervalMs / 1000}s` })
  const sd = `discovery.http "fleet" {\n  url              = "http://127.0.0.1:${discovery.port}/"\n  refresh_interval = "${o.refreshMs / 1000}s"\n}\n\n`
  const configPath = await writeConfig(dir.path, sd + scrape)
  const seeds = o.names.slice(0, o.seeds)
  const advertised = (n: string): string => `127.0.0.1:${(proxy.nodes.get(n) as { advertisePort: number }).advertisePort}`
  const running = (): string[] => [...nodes.entries()].filter(([, n]) => n.child.exitCode === null && n.child.signalCode === null).map(([k]) => k).sort()

  return Object.assign(cluster, {
    proxy,
    targets,
    nodes,
    start(name: string): NodeProcess {
      const own = proxy.nodes.get(name)
      if (own === undefined) throw new Error(`no address for ${name}`)
      const node = spawnNode({
        name,
        configPath,
        clusterHost: own.host,
        clusterPort: own.port,
        advertise: advertised(name),
        joinPorts: [],
        joinAddresses: seeds.filter((s) => s !== name).map(advertised),
        storageDir: `${dir.path}/${name}`,
        extraArgs: ['--log.level=info']
      })
      // The proxy and the targets stand for the network and other hosts, which do not share the nodes' CPU:
      // on a host with fewer cores than nodes, the nodes yield to this process, so that a message is not held
      // up by a relay that gets a 25th of the CPU, and a target does not answer late (docs/cluster-protocol.md
      // "Known gaps").
      if (node.child.pid !== undefined) setPriority(node.child.pid, NODE_NICENESS)
      nodes.set(name, node)
      return node
    },
    running,
    lateWakeups(sinceMs: number): string[] {
      return [...nodes].flatMap(([name, n]) =>
        n.logs
          .filter((l) => typeof l.msg === 'string' && l.msg.includes('scrape point(s) missed') && Date.parse(String(l['time'])) >= sinceMs)
          .map((l) => `${name} at ${String(l['time']).slice(11, 23)}: ${String(l['missed'])} missed, ${String(l['late_ms'])} ms late`)
      )
    },
    async converged(timeoutMs: number): Promise<void> {
      const want = running().join(',')
      await waitFor(() => running().every((n) => participants(nodes.get(n) as NodeProcess).join(',') === want), {
        timeoutMs,
        what: () => `every node to list ${want}: ${running().map((n) => `${n}=${participants(nodes.get(n) as NodeProcess).length}`).join(' ')}`
      })
    },
    async dump(to: string): Promise<void> {
      const { mkdir, writeFile } = await import('node:fs/promises')
      await mkdir(to, { recursive: true })
      for (const [n, node] of nodes) await writeFile(`${to}/${n}.jsonl`, node.logs.map((l) => JSON.stringify(l)).join('\n') + '\n')
      await writeFile(`${to}/requests.jsonl`, targets.requests.map((r) => JSON.stringify(r)).join('\n') + '\n')
    },
    async close(): Promise<void> {
      for (const node of nodes.values()) node.kill('SIGKILL')
      await Promise.all([...nodes.values()].map((n) => n.exited))
      await proxy.close()
      await discovery.close()
      await targets.close()
      await sink.close()
      await dir.remove()
    }
  })
}
