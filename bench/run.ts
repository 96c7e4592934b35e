/**
 * `npm run bench`: runs every benchmark module (each `bench/<name>.bench.ts`, found next to this file once
 * compiled) one after another — never in parallel: they measure CPU — prints one table and writes
 * bench/results.json. Arguments filter by module name (`node dist/bench/run.js scrape push` runs scrape-cost
 * and push only).
 *
 * Benchmarks do not gate anything: a missed goal is reported (pass = NO) and the exit code stays 0. The exit
 * code is non-zero only when a benchmark crashed.
 */
import { readdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { formatTable, machineInfo, machineLine } from './report.js'
import type { ReportedResult, ResultsDocument } from './report.js'
import type { Benchmark } from './types.js'

/** Run order of the known modules: the cheap in-process ones first, then those with children and servers; others follow by name. */
const ORDER = ['ring', 'config', 'api', 'membership-sim', 'scrape-cost', 'push', 'one-node', 'convergence', 'cluster-idle']
const SUFFIX = '.bench.js'

/** Compiled to dist/bench/run.js; the results file lives in the source tree's bench/. */
const RESULTS_FILE = fileURLToPath(new URL('../../bench/results.json', import.meta.url))

async function benchmarkNames(): Promise<string[]> {
  const files = await readdir(dirname(fileURLToPath(import.meta.url)))
  const names = files.filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length))
  const rank = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length)
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
}

async function loadBenchmark(name: string): Promise<Benchmark> {
  const module = (await import(`./${name}${SUFFIX}`)) as { run?: Benchmark }
  if (typeof module.run !== 'function') throw new Error(`bench/${name}.bench.ts does not export run`)
  return module.run
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2)
  const all = await benchmarkNames()
  const names = all.filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  if (names.length === 0) {
    console.error(`no benchmark matches ${filters.join(' ')}; known: ${all.join(', ')}`)
    return 2
  }
  const machine = machineInfo()
  console.log(`shardscope benchmarks on ${machineLine(machine)}`)
  const results: ReportedResult[] = []
  const errors: { benchmark: string; error: string }[] = []
  for (const name of names) {
    const started = performance.now()
    process.stdout.write(`- ${name} … `)
    try {
      const run = await loadBenchmark(name)
      const figures = await run()
      results.push(...figures.map((r) => ({ benchmark: name, ...r })))
      console.log(`${figures.length} figures in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    } catch (error) {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
      errors.push({ benchmark: name, error: text })
      console.log(`CRASHED after ${((performance.now() - started) / 1000).toFixed(1)} s\n${text}`)
    }
  }
  const document: ResultsDocument = {
    date: new Date().toISOString(),
    machine,
    results,
    ...(errors.length > 0 ? { errors } : {})
  }
  await writeFile(RESULTS_FILE, `${JSON.stringify(document, null, 2)}\n`)
  console.log(`\n${document.date} · ${machineLine(machine)}\n`)
  console.log(formatTable(results))
  const missed = results.filter((r) => r.pass === false)
  console.log(`\n${results.length} figures, ${missed.length} goal(s) missed, ${errors.length} crash(es); written to bench/results.json`)
  return errors.length > 0 ? 1 : 0
}

process.exitCode = await main()
