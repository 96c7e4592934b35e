#!/usr/bin/env node
// `npm run cluster -- N`: a local shardscope cluster on 127.0.0.1 — N agents (`shardscope run` with their own
// node name, ports and --storage.path), three demo pprof targets and a receiver (`shardscope receive`) —
// then prints every address and runs until Ctrl-C, which stops them all.
// Options: --dir DIR (default data/cluster: config, logs, node state, received profiles), --targets M (3).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const ROOT = resolve(import.meta.dirname, '..')
const MAIN = join(ROOT, 'dist', 'src', 'main.js')

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: 'string', default: 'data/cluster' }, targets: { type: 'string', default: '3' } }
})
const nodes = Number(positionals[0] ?? '3')
const targets = Number(values.targets)
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 20 || !Number.isInteger(targets) || targets < 0 || targets > 20) {
  console.error('usage: npm run cluster -- N [--dir DIR] [--targets M]   (N from 1 to 20 nodes, M from 0 to 20 demo targets)')
  process.exit(2)
}
if (!existsSync(MAIN)) {
  console.error('error: dist/src/main.js is missing; build first with: npm run build')
  process.exit(1)
}
const dir = resolve(values.dir)
mkdirSync(dir, { recursive: true })
const shown = (p) => {
  const r = relative(process.cwd(), p)
  return r === '' ? '.' : r.startsWith('..') ? p : r
}

/** A port the OS says is free now (the processes bind it a moment later). */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => ok(port))
    })
  })
}

const children = []
let stopping = false
function start(name, args, logName) {
  const log = openSync(join(dir, logName), 'a')
  // Its own process group: Ctrl-C reaches only this script, which stops every process with one SIGTERM (a
  // second signal would make an agent skip its graceful hand-off).
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', log, log], detached: true })
  const entry = { name, child, log: join(dir, logName), exited: new Promise((ok) => child.once('exit', (code, signal) => ok(code ?? signal))) }
  entry.exited.then((how) => {
    if (stopping) return
    console.error(`${name} exited (${how}); its log, ${shown(entry.log)}, ends with:\n${tail(entry.log)}`)
    void stopAll(1)
  })
  children.push(entry)
  return entry
}

function tail(path) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-5).join('\n')
  } catch {
    return '(no log)'
  }
}

async function stopAll(code) {
  if (stopping) return
  stopping = true
  const force = setTimeout(() => children.forEach((c) => c.child.kill('SIGKILL')), 30_000)
  // Agents first, so that what they still push reaches the receiver and their last scrapes find targets.
  for (const group of [children.filter((c) => c.name.startsWith('node-')), children.filter((c) => !c.name.startsWith('node-'))]) {
    for (const c of group) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGTERM')
    await Promise.all(group.map((c) => c.exited))
  }
  clearTimeout(force)
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

async function waitReady(url, what) {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (stopping) return
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)
    if (ok) return
    await new Promise((r) => setTimeout(r, 200))
  }
  console.error(`${what} not ready after 60 s (${url})`)
  await stopAll(1)
}

const receiverPort = await freePort()
const receivedDir = join(dir, 'received')
start('receiver', [MAIN, 'receive', '--listen', `127.0.0.1:${receiverPort}`, '--dir', receivedDir], 'receiver.log')

const demo = []
for (let i = 1; i <= targets; i++) {
  const port = await freePort()
  start(`demo-${i}`, [join(ROOT, 'scripts', 'demo-target.mjs'), String(port), `demo-${i}`], `demo-${i}.log`)
  demo.push({ name: `demo-${i}`, port })
}

const configPath = join(dir, 'cluster.alloy')
writeFileSync(
  configPath,
  `// Written by scripts/cluster.mjs: every node of the local cluster runs this file.
pyroscope.scrape "demo" {
  targets = [
${demo.map((d) => `    {"__address__" = "127.0.0.1:${d.port}", "service_name" = "${d.name}"},`).join('\n')}
  ]
  forward_to = [pyroscope.write.receiver.receiver]

  clustering {
    enabled = true
  }
  profiling_config {
    // Node.js processes have no block or mutex profiles.
    profile.block {
      enabled = false
    }
    profile.mutex {
      enabled = false
    }
  }
}

pyroscope.write "receiver" {
  endpoint {
    url = "http://127.0.0.1:${receiverPort}"
  }
  external_labels = {
    "cluster" = "local",
  }
}
`
)

const agents = []
for (let i = 1; i <= nodes; i++) agents.push({ name: `node-${i}`, http: await freePort(), cluster: await freePort() })
for (const a of agents) {
  const peers = agents.filter((p) => p !== a).map((p) => `127.0.0.1:${p.cluster}`)
  start(
    a.name,
    [
      MAIN,
      'run',
      configPath,
      `--server.http.listen-addr=127.0.0.1:${a.http}`,
      `--storage.path=${join(dir, a.name)}`,
      '--cluster.enabled',
      `--cluster.node-name=${a.name}`,
      `--cluster.listen-address=127.0.0.1:${a.cluster}`,
      `--cluster.advertise-address=127.0.0.1:${a.cluster}`,
      `--cluster.name=local`,
      ...(peers.length > 0 ? [`--cluster.join-addresses=${peers.join(',')}`] : [])
    ],
    `${a.name}.log`
  )
}

await waitReady(`http://127.0.0.1:${receiverPort}/-/ready`, 'receiver')
await Promise.all(agents.map((a) => waitReady(`http://127.0.0.1:${a.http}/-/ready`, a.name)))
if (!stopping) {
  console.log(`shardscope cluster: ${nodes} node(s), ${targets} demo target(s); config, logs and data under ${shown(dir)}`)
  for (const a of agents) console.log(`  ${a.name.padEnd(9)} UI  http://127.0.0.1:${a.http}/`)
  for (const d of demo) console.log(`  ${d.name.padEnd(9)} pprof http://127.0.0.1:${d.port}/debug/pprof/`)
  console.log(`  receiver  http://127.0.0.1:${receiverPort}  profiles listed in ${shown(join(receivedDir, 'index.jsonl'))}`)
  console.log('Ctrl-C stops everything.')
}
