/**
 * `npm run soak [-- --duration 10m --agents 5 --targets 200 --interval 5s]`: runs the churn soak and prints a
 * readable report (stderr carries the progress) followed by the report as JSON on stdout.
 * Exit 0 unless something crashed or could not run; the verdict line says whether the goals were met.
 */
import { parseArgs } from 'node:util'
import { parseDuration } from '../../src/util/duration.js'
import { formatReport } from './report.js'
import { runSoak } from './soak.js'

function durationMs(flag: string, text: string): number {
  const parsed = parseDuration(text)
  if (!parsed.ok || parsed.ms <= 0) throw new Error(`--${flag} must be a positive duration such as 10m or 5s, got ${JSON.stringify(text)}`)
  return parsed.ms
}

function count(flag: string, text: string, min: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(text)}`)
  return n
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10m' },
      agents: { type: 'string', default: '5' },
      targets: { type: 'string', default: '200' },
      interval: { type: 'string', default: '5s' },
      'failure-timeout': { type: 'string', default: '5s' }
    },
    strict: true
  })
  const report = await runSoak({
    durationMs: durationMs('duration', values.duration),
    agents: count('agents', values.agents, 3),
    targets: count('targets', values.targets, 1),
    intervalMs: durationMs('interval', values.interval),
    failureTimeoutMs: durationMs('failure-timeout', values['failure-timeout']),
    log: (line) => process.stderr.write(`${line}\n`)
  })
  process.stdout.write(`${formatReport(report)}\n\n${JSON.stringify(report, null, 2)}\n`)
  return report.crashes.length === 0 && report.leftoverProcesses === 0 ? 0 : 1
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  }
)
