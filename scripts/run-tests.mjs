// Runs every compiled *.test.js under dist/test with node's built-in runner, then prints each file's wall
// time, slowest first. Node 20 has no glob support in `node --test`, so the file list is built here.
// Usage: node scripts/run-tests.mjs [substring filter ...]   (TEST_CONCURRENCY sets --test-concurrency, default 2)
// The exit code is the runner's.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

function collect(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...collect(path))
    else if (name.endsWith('.test.js')) out.push(path)
  }
  return out
}

/** Naming a reporter replaces node's default, so the default is named too: before Node 23, spec on a terminal and tap otherwise. */
function defaultReporter() {
  const major = Number(process.versions.node.split('.')[0])
  return major >= 23 || process.stdout.isTTY ? 'spec' : 'tap'
}

function readTimes(path) {
  let text
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line))
}

function timingTable(times) {
  const rows = [...times].sort((a, b) => b.wallMs - a.wallMs)
  const lines = rows.map((t) => `${(t.wallMs / 1000).toFixed(1).padStart(8)} s  ${relative(process.cwd(), t.file)}${t.failed ? '  (failed)' : ''}`)
  return [`\nwall time per test file, slowest first (${rows.length} ${rows.length === 1 ? 'file' : 'files'}):`, ...lines].join('\n')
}

const filters = process.argv.slice(2)
const files = collect('dist/test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort()
if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2'
const timingDir = mkdtempSync(join(tmpdir(), 'shardscope-test-times-'))
const timingFile = join(timingDir, 'times.jsonl')
const timingReporter = fileURLToPath(new URL('./test-timing-reporter.mjs', import.meta.url))
const result = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-reporter=${defaultReporter()}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${timingReporter}`,
    `--test-reporter-destination=${timingFile}`,
    ...files
  ],
  { stdio: 'inherit' }
)
const times = readTimes(timingFile)
rmSync(timingDir, { recursive: true, force: true })
if (times.length > 0) console.log(timingTable(times))
process.exit(result.status ?? 1)
