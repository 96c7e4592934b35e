/** The benchmark report: the machine line, a plain-text table, and the results.json document. */
import { cpus, totalmem } from 'node:os'
import type { BenchResult } from './types.js'

export interface MachineInfo {
  readonly cpus: number
  readonly cpu_model: string
  readonly total_memory: number
  readonly node: string
  readonly platform: string
}

/** A result with the benchmark module it came from, as stored in results.json. */
export interface ReportedResult extends BenchResult {
  readonly benchmark: string
}

export interface ResultsDocument {
  readonly date: string
  readonly machine: MachineInfo
  readonly results: readonly ReportedResult[]
  /** Benchmarks that crashed, with their error; absent when none did. */
  readonly errors?: readonly { readonly benchmark: string; readonly error: string }[]
}

export function machineInfo(): MachineInfo {
  const all = cpus()
  return {
    cpus: all.length,
    cpu_model: all[0]?.model.trim() ?? 'unknown',
    total_memory: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`
  }
}

export function machineLine(m: MachineInfo): string {
  const gib = (m.total_memory / 1024 ** 3).toFixed(1)
  return `${m.cpus} × ${m.cpu_model}, ${gib} GiB, Node ${m.node}, ${m.platform}`
}

const COLUMNS = ['name', 'value', 'unit', 'floor', 'ratio', 'goal', 'pass'] as const

/** A Markdown table (readable as plain text too), one row per result. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    formatNumber(r.value),
    r.unit,
    r.floor === undefined ? '' : formatNumber(r.floor),
    r.ratio === undefined ? '' : formatNumber(r.ratio),
    r.goal ?? '',
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO'
  ])
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Up to four significant decimals, no trailing zeros, thousands kept readable. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 1 : abs >= 1 ? 3 : 4
  return String(Number(value.toFixed(digits)))
}
