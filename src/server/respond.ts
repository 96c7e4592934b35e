/** Writing responses: one place that sets content types and the headers every debug response carries. */
import type { ServerResponse } from 'node:http'

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' }

export function sendText(res: ServerResponse, status: number, text: string): void {
  const body = text.endsWith('\n') ? text : `${text}\n`
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(body)
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(value))
}

const NO_SCRIPT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"

/**
 * The flame graph page runs scripts, from this server only (its library and its own script); d3-flame-graph
 * adds its stylesheet as an inline style element.
 */
export const FLAME_PAGE_POLICY = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"

/**
 * HTML pages carry a policy that forbids every script and external resource: the UI needs neither, and a
 * value that ever slipped past escaping still could not run.
 */
export function sendHtml(res: ServerResponse, status: number, html: string, policy = NO_SCRIPT_POLICY): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': policy
  })
  res.end(html)
}

/** pprof bytes as Go's net/http/pprof serves them: gzipped, octet-stream, no Content-Encoding. */
export function sendProfile(res: ServerResponse, name: string, body: Buffer): void {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${name}"`
  })
  res.end(body)
}
