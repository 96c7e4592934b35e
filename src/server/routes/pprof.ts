/**
 * /debug/pprof/* for the agent itself, answering like Go's net/http/pprof where Node has an equivalent:
 * - profile?seconds=N: CPU for N seconds (invalid or ≤ 0 means 30, as in Go; capped at 300); one at a
 *   time, a second answers 500 like Go.
 * - heap and allocs: the sampling heap profile (Go serves the same data under both names).
 * - goroutine: active async resources per type (the event loop's analog of goroutines).
 * - block, mutex, threadcreate, trace, symbol: 404 with why (Node has no such profile).
 * - anything else: 404 "Unknown profile", Go's text.
 */
import type { ServerResponse } from 'node:http'
import {
  CpuProfileInProgressError,
  captureCpuProfile,
  captureGoroutineProfile,
  captureHeapProfile
} from '../../pprof/index.js'
import { sendHtml, sendProfile, sendText } from '../respond.js'
import { html } from '../ui/html.js'
import type { Route, RouteContext } from './context.js'

export const PPROF_PREFIX = '/debug/pprof/'
const DEFAULT_CPU_SECONDS = 30
export const MAX_CPU_SECONDS = 300

const UNSUPPORTED = new Set(['block', 'mutex', 'threadcreate', 'trace', 'symbol', 'cmdline'])

/** Go: `seconds` that does not parse or is ≤ 0 silently means 30. */
export function cpuSeconds(raw: string | null): number {
  const n = raw !== null && /^\d+$/.test(raw) ? Number(raw) : 0
  return n <= 0 ? DEFAULT_CPU_SECONDS : Math.min(n, MAX_CPU_SECONDS)
}

export const pprofRoute: Route = async (_req, res, url, ctx) => {
  const name = url.pathname.slice(PPROF_PREFIX.length)
  switch (name) {
    case '':
      sendIndex(res)
      return
    case 'profile':
      await serveCpu(res, cpuSeconds(url.searchParams.get('seconds')), ctx)
      return
    case 'heap':
    case 'allocs':
      sendProfile(res, name, await captureHeapProfile())
      return
    case 'goroutine':
      sendProfile(res, name, await captureGoroutineProfile())
      return
  }
  if (UNSUPPORTED.has(name)) sendText(res, 404, `profile not supported by a Node.js process: ${name}`)
  else sendText(res, 404, 'Unknown profile')
}

async function serveCpu(res: ServerResponse, seconds: number, ctx: RouteContext): Promise<void> {
  // End the capture early when the client goes away or the server closes.
  const abort = new AbortController()
  const onClose = (): void => {
    if (!res.writableFinished) abort.abort(new Error('client closed the connection'))
  }
  const onServerClose = (): void => abort.abort(new Error('server closing'))
  res.once('close', onClose)
  ctx.closing.addEventListener('abort', onServerClose, { once: true })
  try {
    sendProfile(res, 'profile', await captureCpuProfile(seconds, abort.signal))
  } catch (error) {
    if (error instanceof CpuProfileInProgressError) {
      sendText(res, 500, `Could not enable CPU profiling: ${error.message}`)
      return
    }
    if (abort.signal.aborted) {
      ctx.logger.debug({ err: error }, 'cpu profile abandoned')
      res.destroy()
      return
    }
    throw error
  } finally {
    res.off('close', onClose)
    ctx.closing.removeEventListener('abort', onServerClose)
  }
}

function sendIndex(res: ServerResponse): void {
  const profiles = ['allocs', 'goroutine', 'heap', 'profile']
  sendHtml(
    res,
    200,
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>/debug/pprof/</title></head><body>
<p>Profiles of this shardscope process (gzipped pprof):</p><ul>${profiles.map(
      (p) => html`<li><a href="${p}${p === 'profile' ? '?seconds=30' : ''}">${p}</a></li>`
    )}</ul></body></html>`.text
  )
}
