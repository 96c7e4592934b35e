/** The soak's verdict and its readable rendering (the JSON form is the SoakReport itself). */
import type { SoakReport } from './soak.js'

/** What makes a soak fail; empty when it passed. */
export function soakProblems(report: SoakReport): string[] {
  const problems: string[] = []
  const { accounting: a, intervals: i } = report
  if (a.unaccounted !== 0) problems.push(`${a.unaccounted} unaccounted profile(s) (gap ${a.gap}, kill -9 bound ${a.killLossBound})`)
  if (i.zero.unexpected > 0) problems.push(`${i.zero.unexpected} unexpected zero interval(s)`)
  if (i.double.unexpected > 0) problems.push(`${i.double.unexpected} unexpected double interval(s)`)
  if (report.crashes.length > 0) problems.push(`${report.crashes.length} crash(es)`)
  if (report.leftoverProcesses > 0) problems.push(`${report.leftoverProcesses} process(es) left running`)
  return problems
}

export function formatReport(report: SoakReport): string {
  const { options: o, accounting: a, intervals: i } = report
  const series = Object.entries(i.perSeries)
  const imperfect = series.filter(([, c]) => c.zero + c.double > 0)
  const lines = [
    `shardscope churn soak: ${o.agents} agents, ${o.targets} targets × 2 types, interval ${o.intervalMs} ms, ` +
      `failure timeout ${o.failureTimeoutMs} ms, ${(o.durationMs / 1000).toFixed(0)} s measured (${(report.elapsedMs / 1000).toFixed(0)} s in all)`,
    `window ${report.window.from} → ${report.window.to}`,
    '',
    'schedule:',
    ...report.events.map((e) => `  ${e.at.slice(11, 23)}  ${e.what}`),
    '',
    `intervals (${series.length} series, ${i.points} scrape points):`,
    `  exactly one       ${i.one}`,
    `  zero              ${i.zero.expected + i.zero.unexpected}  (expected ${i.zero.expected}, unexpected ${i.zero.unexpected})`,
    `  two or more       ${i.double.expected + i.double.unexpected}  (expected ${i.double.expected}, unexpected ${i.double.unexpected})`,
    `  series with a zero or double point: ${imperfect.length} of ${series.length}`,
    ...section('unexpected points', i.unexpectedPoints),
    ...section(
      'points the agents counted as missed (woke up over half an interval late) or skipped',
      report.latePoints.map((l) => `${l.name} between ${l.fromMs ? new Date(l.fromMs).toISOString().slice(11, 23) : '?'} and ${new Date(l.toMs).toISOString().slice(11, 23)}: missed ${l.missed}, skipped ${l.skipped}`)
    ),
    ...section('expected points (first ones)', i.expectedPoints.slice(0, 10)),
    '',
    'profiles:',
    `  scraped (200 at the targets)   ${a.scraped}`,
    `  failed scrapes (503, flapping) ${a.failed}`,
    `  stored (receiver index lines)  ${a.stored}`,
    `  dropped (agents' counters)     ${a.dropped}`,
    `  sent (agents' counters)        ${a.sentByAgents}  (killed processes: last poll, a lower bound)`,
    `  gap = scraped − stored − dropped  ${a.gap}`,
    `  lost with kill -9'd processes  ${a.killLoss}  (bound ${a.killLossBound}: scraped but neither sent nor dropped at their last poll)`,
    `  unaccounted                    ${a.unaccounted}`,
    ...Object.entries(a.byType).map(([type, t]) => `  ${type.padEnd(10)} scraped ${t.scraped}, stored ${t.stored}`),
    '',
    'agent processes:',
    ...a.incarnations.map(
      (p) =>
        `  ${p.name.padEnd(4)} ${p.end.padEnd(8)} ${p.startedAt.slice(11, 23)} → ${(p.endedAt ?? '').slice(11, 23).padEnd(12)} ` +
        `scraped ${p.scraped}, sent ${p.sent}, dropped ${p.dropped}, queued at last poll ${p.queuedAtLastPoll}, missed ${p.missed}, skipped ${p.skipped}` +
        (p.end === 'sigkill' ? `, scraped after last poll ${p.scrapedAfterLastPoll}, loss bound ${p.lossBound}` : '')
    ),
    ...section('crashes', report.crashes),
    `processes left running: ${report.leftoverProcesses}`
  ]
  const problems = soakProblems(report)
  lines.push('', problems.length === 0 ? 'verdict: PASS' : `verdict: FAIL — ${problems.join('; ')}`)
  return lines.join('\n')
}

function section(title: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : [`  ${title}:`, ...items.map((s) => `    ${s}`)]
}
