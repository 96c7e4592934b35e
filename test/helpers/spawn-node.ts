/**
 * Clustered shardscope agents as real OS processes on 127.0.0.1 (`node dist/src/main.js run …`).
 *
 * Each node logs JSON to stderr; the lines are parsed and kept, so tests wait on what a node says
 * (`waitForLog`) or read its debug server (/metrics through metrics.ts, /api/v1/cluster) whose port comes from its log.
 * Cluster ports cannot be 0 (they are advertised to others), so they come from `freePort()`.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAIN_JS, REPO_ROOT } from './cli.js'
import { waitFor } from './wait-for.js'

export type LogRecord = Record<string, unknown> & { msg?: string }

export interface NodeProcess {
  readonly name: string
  readonly clusterPort: number
  readonly child: ChildProcess
  readonly logs: LogRecord[]
  stderr(): string
  /** The debug server's base URL, once the node has logged it. */
  httpUrl(): Promise<string>
  waitForLog(predicate: (r: LogRecord) => boolean, timeoutMs: number, what: string): Promise<LogRecord>
  /** Resolves with the exit code (or signal name) when the process has exited. */
  readonly exited: Promise<number | string>
  kill(signal?: NodeJS.Signals): void
}

export interface SpawnNodeOptions {
  readonly name: string
  readonly configPath: string
  readonly clusterPort: number
  readonly joinPorts: readonly number[]
  /** The loopback address the node listens on (127.0.0.1 unless given). */
  readonly clusterHost?: string
  /** Advertised address (`host:port`) and join addresses in place of 127.0.0.1 and `joinPorts`. */
  readonly advertise?: string
  readonly joinAddresses?: readonly string[]
  readonly storageDir: string
  readonly extraArgs?: readonly string[]
}

export function spawnNode(options: SpawnNodeOptions): NodeProcess {
  const args = [
    MAIN_JS,
    'run',
    options.configPath,
    '--log.format=json',
    '--server.http.listen-addr=127.0.0.1:0',
    `--storage.path=${options.storageDir}`,
    '--cluster.enabled',
    `--cluster.node-name=${options.name}`,
    `--cluster.listen-address=${options.clusterHost ?? '127.0.0.1'}:${options.clusterPort}`,
    ...(options.advertise === undefined ? [] : [`--cluster.advertise-address=${options.advertise}`]),
    `--cluster.join-addresses=${(options.joinAddresses ?? options.joinPorts.map((p) => `127.0.0.1:${p}`)).join(',')}`,
    ...(options.extraArgs ?? [])
  ]
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, SHARDSCOPE_TEST_NODE: options.name },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  const logs: LogRecord[] = []
  let text = ''
  let partial = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString()
    partial += chunk.toString()
    const lines = partial.split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogRecord)
      } catch {
        logs.push({ msg: line })
      }
    }
  })
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  const waitForLog = (predicate: (r: LogRecord) => boolean, timeoutMs: number, what: string): Promise<LogRecord> =>
    waitFor(() => logs.find(predicate), { timeoutMs, what: () => `${options.name}: ${what}\n${text.slice(-3000)}` })
  return {
    name: options.name,
    clusterPort: options.clusterPort,
    child,
    logs,
    stderr: () => text,
    httpUrl: async () => {
      const r = await waitForLog((l) => l.msg === 'debug server listening', 20_000, 'debug server address')
      return `http://${String(r['address'])}`
    },
    waitForLog,
    exited,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    }
  }
}

/** The last `cluster participants` list a node logged. */
export function participants(node: NodeProcess): string[] {
  const last = [...node.logs].reverse().find((l) => l.msg === 'cluster participants')
  return ((last?.['participants'] as string[] | undefined) ?? []).slice().sort()
}

/** A temp dir removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

export interface ClusterConfigOptions {
  readonly targetsLiteral: string
  readonly receiverUrl: string
  readonly interval: string
}

/** One config for every node: goroutine + one custom type, clustering on, node name in the URL. */
export function clusterConfig(o: ClusterConfigOptions): string {
  return `pyroscope.scrape "cluster" {
  targets = ${o.targetsLiteral}
  forward_to      = [pyroscope.write.sink.receiver]
  scrape_interval = "${o.interval}"
  scrape_timeout  = "1s"
  params          = { "node" = [sys.env("SHARDSCOPE_TEST_NODE")] }
  clustering {
    enabled = true
  }
  profiling_config {
    profile.memory { enabled = false }
    profile.block { enabled = false }
    profile.mutex { enabled = false }
    profile.process_cpu { enabled = false }
    profile.custom "extra" {
      enabled = true
      path    = "/custom"
    }
  }
}

pyroscope.write "sink" {
  endpoint {
    url = "${o.receiverUrl}"
  }
}
`
}

export async function writeConfig(dir: string, text: string, name = 'cluster.alloy'): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, text)
  return path
}
