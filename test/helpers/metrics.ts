/**
 * Reads a metric from the Prometheus text exposition, of an agent's /metrics (give its base URL) or of a
 * prom-client Registry in this process: the value of the samples named `name` whose labels include
 * `labels`, summed (0 when there is none). A histogram's buckets are `<name>_bucket` with an `le` label.
 * A name the exposition does not declare at all throws, so a misspelt name cannot pass for a zero.
 */
import type { Registry } from 'prom-client'
import { httpRequest } from './http.js'

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export async function metricValue(source: string | Registry, name: string, labels: Readonly<Record<string, string>> = {}): Promise<number> {
  const text = typeof source === 'string' ? (await httpRequest(`${source}/metrics`, { timeoutMs: 3_000 })).text() : await source.metrics()
  if (!declares(text, name)) throw new Error(`no metric named ${name}`)
  return parseExposition(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0)
}

/** Whether a `# TYPE` line declares `name` or the histogram or summary it is a series of. */
function declares(text: string, name: string): boolean {
  const family = name.replace(/_(bucket|count|sum)$/, '')
  return text.split('\n').some((line) => line.startsWith('# TYPE ') && [name, family].includes(line.split(' ')[2] ?? ''))
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g

/** The samples of a text exposition; comments and blank lines are skipped. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line)
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const [, key, raw] of (m[2] ?? '').matchAll(LABEL)) labels[key as string] = unescapeLabel(raw as string)
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) })
  }
  return samples
}

function unescapeLabel(raw: string): string {
  return raw.replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c))
}
