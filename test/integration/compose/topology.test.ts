/**
 * docker-compose.yml's topology as real processes on 127.0.0.1: the receiver, three agent replicas with the
 * compose command's flags, the sd service's discovery file and the demo Go targets, all derived from the
 * compose file (compose-topology.ts). Only what a container gives for free is supplied here: addresses
 * (`service:port` → 127.0.0.1 ports), storage paths (temp dirs) and each replica's hostname as its node name.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join } from 'node:path'
import { readIndex } from '../../../src/components/pyroscope/receive_http/index.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { freePort, listenOnLoopback } from '../../helpers/free-port.js'
import type { Listening } from '../../helpers/free-port.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'
import { httpRequest } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { tempDir, writeConfig } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'
import { localizeArgs, readComposeTopology, rewriteAddresses } from './compose-topology.js'

const REPLICAS = 3
const topology = readComposeTopology(REPO_ROOT)

interface Agent {
  readonly name: string
  readonly url: string
  readonly process: RunningProcess
}

let dir: { path: string; remove(): Promise<void> } | undefined
let sd: Listening | undefined
let receiver: RunningProcess | undefined
let receiverDir = ''
const goTargets: GoTarget[] = []
const agents: Agent[] = []
/** service_name of each group of the discovery file. */
let serviceNames: string[] = []

/** `host:port` → port, for the container ports the compose commands listen on. */
function portOf(address: string): string {
  return address.slice(address.lastIndexOf(':') + 1)
}

function flagValue(args: readonly string[], name: string): string {
  const eq = args.find((a) => a.startsWith(`--${name}=`))
  if (eq !== undefined) return eq.slice(name.length + 3)
  const i = args.indexOf(`--${name}`)
  const value = i >= 0 ? args[i + 1] : undefined
  if (value === undefined) throw new Error(`--${name} not in ${args.join(' ')}`)
  return value
}

async function getJson<T>(url: string): Promise<T> {
  return (await httpRequest(url, { timeoutMs: 3_000 })).json<T>()
}

describe('the docker-compose topology as processes on 127.0.0.1', { timeout: 90_000 }, () => {
  before(async () => {
    dir = await tempDir('shardscope-compose-')
    const sdFile = topology.sd.files.get('/targets.json')
    assert.ok(sdFile !== undefined, 'the sd service serves targets.json')
    const groups = JSON.parse(await readFile(join(REPO_ROOT, sdFile), 'utf8')) as { targets: string[]; labels: Record<string, string> }[]
    serviceNames = groups.map((g) => g.labels['service_name'] ?? '')

    const hosts = new Map<string, string>()
    for (const name of topology.demoTargets) {
      const target = await startGoTarget({ service: name })
      goTargets.push(target)
      for (const address of groups.flatMap((g) => g.targets).filter((a) => a.startsWith(`${name}:`))) hosts.set(address, target.address)
    }
    const sdServer = createServer((req, res) => {
      const file = topology.sd.files.get(new URL(req.url ?? '/', 'http://sd').pathname)
      if (file === undefined) return void res.writeHead(404).end()
      void readFile(join(REPO_ROOT, file), 'utf8').then((text) => {
        const type = topology.sd.mimeTypes.get(extname(file)) ?? 'application/octet-stream'
        res.writeHead(200, { 'content-type': type }).end(rewriteAddresses(text, hosts))
      })
    })
    sd = await listenOnLoopback(sdServer)
    hosts.set(`sd:${topology.sd.port}`, `127.0.0.1:${sd.port}`)

    const receiverPort = await freePort()
    hosts.set(`receiver:${portOf(flagValue(topology.receiverArgs, 'listen'))}`, `127.0.0.1:${receiverPort}`)
    const containerDir = flagValue(topology.receiverArgs, 'dir')
    const volume = [...topology.receiverVolumes].find(([path]) => containerDir.startsWith(`${path}/`))
    assert.ok(volume !== undefined, `${containerDir} is on a named volume`)
    receiverDir = join(dir.path, 'volumes', volume[1], containerDir.slice(volume[0].length))
    receiver = startShardscope(localizeArgs(topology.receiverArgs, { listen: `127.0.0.1:${receiverPort}`, dir: receiverDir }))
    await receiver.waitForOutput(/listening on http:/)

    const clusterPorts = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()))
    const httpPorts = await Promise.all(Array.from({ length: REPLICAS }, () => freePort()))
    const joinFlag = flagValue(topology.agentArgs, 'cluster.join-addresses')
    // A service name resolves to every replica, as compose's DNS does.
    hosts.set(joinFlag, clusterPorts.map((p) => `127.0.0.1:${p}`).join(','))
    const configs = new Map<string, string>()
    for (const [container, host] of topology.agentMounts) {
      const text = rewriteAddresses(await readFile(join(REPO_ROOT, host), 'utf8'), hosts)
      configs.set(container, await writeConfig(dir.path, text, `mounted-${configs.size}.alloy`))
    }
    for (let i = 0; i < REPLICAS; i++) {
      const name = `agent-${i + 1}`
      const args = localizeArgs(
        topology.agentArgs,
        {
          'server.http.listen-addr': `127.0.0.1:${httpPorts[i]}`,
          'storage.path': join(dir.path, name),
          'cluster.listen-address': `127.0.0.1:${clusterPorts[i]}`,
          'cluster.join-addresses': rewriteAddresses(joinFlag, hosts)
        },
        configs
      )
      // Each replica's container hostname is its default node name; on one machine it has to be given.
      agents.push({ name, url: `http://127.0.0.1:${httpPorts[i]}`, process: startShardscope([...args, `--cluster.node-name=${name}`]) })
    }
  })

  after(async () => {
    await Promise.all(agents.map((a) => a.process.stop('SIGKILL')))
    await receiver?.stop('SIGKILL')
    await Promise.all(goTargets.map((t) => t.stop()))
    await sd?.close()
    await dir?.remove()
  })

  it('derives the topology from the compose file', () => {
    assert.equal(topology.agentArgs[0], 'run')
    assert.equal(topology.receiverArgs[0], 'receive')
    assert.deepEqual([...topology.agentMounts.values()], ['config/cluster.alloy'])
    assert.equal(topology.sd.mimeTypes.get('.json'), 'application/json')
    assert.equal(topology.demoTargets.length, 3)
    assert.equal(serviceNames.length, topology.demoTargets.length)
  })

  it('lets the three agents see each other as participants', async () => {
    const names = agents.map((a) => a.name).sort().join(',')
    await waitFor(
      async () => {
        const views = await Promise.all(agents.map((a) => getJson<{ self: { name: string } | null; peers: { name: string; state: string }[] }>(`${a.url}/api/v1/cluster`)))
        return views.every((v) => [v.self?.name ?? '', ...v.peers.filter((p) => p.state === 'participant').map((p) => p.name)].sort().join(',') === names)
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `every agent sees ${names}` }
    )
  })

  it("stores every demo target's profiles in the receiver's store", async () => {
    const stored = async (): Promise<Set<string>> => new Set((await readIndex(receiverDir)).map((e) => e.labels['service_name'] ?? ''))
    await waitFor(
      async () => {
        const set = await stored()
        return serviceNames.every((s) => set.has(s))
      },
      { timeoutMs: 45_000, intervalMs: 500, what: `profiles of ${serviceNames.join(', ')} in the store` }
    )
    const services = await stored()
    for (const s of serviceNames) assert.ok(services.has(s), `${s} stored (stored: ${[...services].join(', ')})`)
    const entry = (await readIndex(receiverDir))[0]
    assert.equal(entry?.labels['cluster'], 'compose', 'the external label of config/cluster.alloy')
  })

  it('scrapes each demo target from exactly one agent', async () => {
    const owners = async (): Promise<Map<string, string[]>> => {
      const out = new Map<string, string[]>(serviceNames.map((s) => [s, []]))
      for (const a of agents) {
        const { targets } = await getJson<{ targets: { labels: Record<string, string>; last_scrape: string | null }[] }>(`${a.url}/api/v1/targets`)
        const scraped = new Set(targets.filter((t) => t.last_scrape !== null).map((t) => t.labels['service_name'] ?? ''))
        for (const s of scraped) out.get(s)?.push(a.name)
      }
      return out
    }
    const map = await waitFor(async () => {
      const m = await owners()
      return [...m.values()].every((list) => list.length === 1) ? m : undefined
    }, { timeoutMs: 30_000, intervalMs: 500, what: 'one scraping agent per demo target' })
    assert.deepEqual([...map.keys()].sort(), [...serviceNames].sort())
  })
})
