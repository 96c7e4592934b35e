/**
 * `npm run bench`: runs every benchmark module one after another (never in parallel: they measure CPU),
 * prints one table and writes bench/results.json. Arguments filter by module name
 * (`node dist/bench/run.js scrape push` runs scrape-cost and push only).
 *
 * Benchmarks do not gate anything: a missed goal is reported (pass = NO) and the exit code stays 0. The exit
 * code is non-zero only when a benchmark crashed.
 */
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { formatTable, machineInfo, machineLine } from './report.js'
import type { ReportedResult, ResultsDocument } from './report.js'
import type { Benchmark } from './types.js'

/** Run order: the cheap in-process ones first, then those with child processes and servers. */
const BENCHMARKS = ['ring', 'config', 'scrape-cost', 'push', 'one-node', 'convergence'] as const

/** Compiled to dist/bench/run.js; the results file lives in the source tree's bench/. */
const RESULTS_FILE = fileURLToPath(new URL('../../bench/results.json', import.meta.url))

function selectBenchmarks(filters: readonly string[]): string[] {
  return BENCHMARKS.filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
}

async function loadBenchmark(name: string): Promise<Benchmark | undefined> {
  try {
    const module = (await import(`./${name}.bench.js`)) as { run?: Benchmark }
    if (typeof module.run !== 'function') throw new Error(`bench/${name}.bench.ts does not export run`)
    return module.run
  } catch (error) {
    // A module another change has not delivered yet is reported, not fatal; any other import error is.
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes(`${name}.bench.js`)) return undefined
    throw error
  }
}

async function main(): Promise<number> {
  const names = selectBenchmarks(process.argv.slice(2))
  if (names.length === 0) {
    console.error(`no benchmark matches ${process.argv.slice(2).join(' ')}; known: ${BENCHMARKS.join(', ')}`)
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
      if (run === undefined) {
        console.log('not available (module not built), skipped')
        continue
      }
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
