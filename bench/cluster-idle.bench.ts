/**
 * Idle membership cost with real agent processes on 127.0.0.1: 4 nodes, then 32 nodes, each with
 * clustering on and no targets, every node joining the same three addresses. Once every node lists every
 * other, the CPU time each process uses over 30 s (from /proc) is its idle cost. The 4-node figure is the
 * floor: the 32-node figure must stay within 1.5× of it (a cost that grows with N would be ~8×) and under
 * 3 % of a core. Also reports "member left" events seen while nobody left (flaps) and peak RSS.
 */
import { readFile } from 'node:fs/promises'
import { freePort } from '../test/helpers/free-port.js'
import { clusterConfig, participants, spawnNode, tempDir, writeConfig } from '../test/helpers/spawn-node.js'
import { waitFor as waitUntil } from '../test/helpers/wait-for.js'
import type { NodeProcess } from '../test/helpers/spawn-node.js'
import type { Benchmark } from './types.js'

const WINDOW_MS = 30_000
const TICKS_PER_SECOND = 100

/** utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024
}

async function measure(n: number): Promise<{ cpuPercent: number; flaps: number; rssMiB: number; convergeMs: number }> {
  const dir = await tempDir(`shardscope-idle-${n}-`)
  const config = await writeConfig(dir.path, clusterConfig({ targetsLiteral: '[]', receiverUrl: 'http://127.0.0.1:1', interval: '10s' }))
  const ports: number[] = []
  for (let i = 0; i < n; i++) ports.push(await freePort())
  const nodes: NodeProcess[] = []
  try {
    const t0 = Date.now()
    for (let i = 0; i < n; i++) {
      nodes.push(spawnNode({ name: `i${i + 1}`, configPath: config, clusterPort: ports[i] as number, joinPorts: ports.slice(0, 3).filter((_, j) => j !== i), storageDir: `${dir.path}/i${i}` }))
    }
    await waitUntil(() => nodes.every((x) => participants(x).length === n), { timeoutMs: 180_000, what: () => `${n} nodes to see each other: ${nodes.map((x) => participants(x).length).join(' ')}` })
    const convergeMs = Date.now() - t0
    // Let start-up work (dissemination of the joins) finish before measuring the steady state.
    await new Promise((r) => setTimeout(r, 10_000))
    const leftBefore = nodes.reduce((sum, x) => sum + x.logs.filter((l) => l.msg === 'cluster member left').length, 0)
    const before = await Promise.all(nodes.map((x) => cpuSeconds(x.child.pid as number)))
    const started = performance.now()
    await new Promise((r) => setTimeout(r, WINDOW_MS))
    const after = await Promise.all(nodes.map((x) => cpuSeconds(x.child.pid as number)))
    const elapsed = (performance.now() - started) / 1000
    const perNode = after.map((a, i) => (a - (before[i] as number)) / elapsed)
    const flaps = nodes.reduce((sum, x) => sum + x.logs.filter((l) => l.msg === 'cluster member left').length, 0) - leftBefore
    const rss = Math.max(...(await Promise.all(nodes.map((x) => peakRssMiB(x.child.pid as number)))))
    return { cpuPercent: (100 * perNode.reduce((s, x) => s + x, 0)) / n, flaps, rssMiB: rss, convergeMs }
  } finally {
    for (const x of nodes) x.kill('SIGKILL')
    await Promise.all(nodes.map((x) => x.exited))
    await dir.remove()
  }
}

export const run: Benchmark = async () => {
  const small = await measure(4)
  const large = await measure(32)
  const ratio = large.cpuPercent / small.cpuPercent
  return [
    { name: 'idle CPU per node, 4 nodes', value: round(small.cpuPercent), unit: '% of a core' },
    { name: 'idle CPU per node, 32 nodes', value: round(large.cpuPercent), unit: '% of a core', floor: round(small.cpuPercent), ratio: round(ratio), goal: '<= 1.5x the 4-node figure, <= 3 %', pass: ratio <= 1.5 && large.cpuPercent <= 3 },
    { name: '32 nodes started at once: spawn → every node lists all 32', value: Math.round(large.convergeMs), unit: 'ms' },
    { name: '"member left" while nobody left, 32 nodes, 30 s', value: large.flaps, unit: 'events', goal: '0', pass: large.flaps === 0 },
    { name: 'peak RSS of a node, 32 idle nodes', value: Math.round(large.rssMiB), unit: 'MiB' }
  ]
}

function round(x: number): number {
  return Math.round(x * 100) / 100
}
