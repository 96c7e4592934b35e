/**
 * The routes Alloy's pyroscope.receive_http serves besides Connect-protobuf Push: the legacy `POST /ingest`
 * of the Pyroscope SDKs, Connect Push as JSON (`application/json`) and gRPC-Web Push (grpc-web.ts). Both end in the same all-or-nothing
 * delivery as a protobuf push; refusals are Connect-style JSON errors. See docs/alloy-compatibility.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { gunzipOffLoop } from '../../../pprof/index.js'
import type { Logger } from '../../../util/logger.js'
import { encodePushRequest, PUSH_PATH } from '../write/index.js'
import type { PushSeries } from '../write/index.js'
import { decodeIngestBody, ingestQuery } from './ingest-formats.js'
import { ensureServiceName, ingestLabels, parseIngestName } from './ingest-name.js'
import { grpcWebMessage, grpcWebMode, grpcWebStatusOf, sendGrpcWebError, sendGrpcWebOk } from './grpc-web.js'
import type { PushLimits } from './limits.js'
import { validatePushBody } from './validate.js'
import type { AcceptedSeries, PushValidationOptions } from './validate.js'

export const INGEST_PATH = '/ingest'

export interface AlloyRoutesOptions {
  readonly maxBodyBytes: number
  readonly maxDecompressedBytes: number
  /** Requests of these routes handled at once; more are answered 503. */
  readonly maxConcurrentRequests: number
  readonly deliver: (series: readonly AcceptedSeries[]) => Promise<void>
  /** Apply Alloy's ensureServiceName to JSON pushes (as the protobuf path does when set). */
  readonly ensureServiceName: boolean
  /** Series, profiles and labels per JSON or gRPC-Web push; default DEFAULT_PUSH_LIMITS. */
  readonly limits?: PushLimits
  readonly logger: Logger
}

export interface AlloyRoutes {
  handles(path: string, req: IncomingMessage): boolean
  /** Answers the request; a failure of `deliver` is thrown for the server to answer. */
  handle(path: string, req: IncomingMessage, res: ServerResponse, readBody: BodyReader): Promise<void>
}

/** Reads a request's body within the server's deadline: undefined when over `max` bytes. */
export type BodyReader = (req: IncomingMessage, max: number) => Promise<Buffer | undefined | 'timeout'>

interface Refusal {
  readonly status: number
  readonly message: string
}

/** Alloy's ensureServiceName on every series of a push. */
export function withServiceName(series: readonly AcceptedSeries[]): AcceptedSeries[] {
  return series.map((s) => ({ labels: ensureServiceName(s.labels), samples: s.samples }))
}

export function createAlloyRoutes(opts: AlloyRoutesOptions): AlloyRoutes {
  let active = 0
  return {
    handles: (path, req) =>
      path === INGEST_PATH || (path === PUSH_PATH && (mediaTypeOf(req) === 'application/json' || grpcWebMode(req) !== undefined)),
    handle: async (path, req, res, readBody) => {
      const grpcWeb = path === PUSH_PATH ? grpcWebMode(req) : undefined
      const refuse = (refusal: Refusal, close = false): void =>
        grpcWeb === undefined ? send(res, refusal, close) : sendGrpcWebError(res, grpcWeb, refusal.status, refusal.message)
      if (req.method !== 'POST') return refuse({ status: 405, message: `method ${req.method ?? ''} is not allowed, use POST` })
      const declared = Number(req.headers['content-length'] ?? '0')
      if (declared > opts.maxBodyBytes) return refuse(tooLarge(opts.maxBodyBytes))
      // The body is read before a handling slot is taken: a slow client holds no slot (docs/hostile-input.md).
      const body = await readBody(req, opts.maxBodyBytes)
      if (body === 'timeout') return refuse({ status: 408, message: 'the request body did not arrive in time' }, true)
      if (body === undefined) return refuse(tooLarge(opts.maxBodyBytes), true)
      if (active >= opts.maxConcurrentRequests) {
        return refuse({ status: 503, message: `too many push requests in progress (limit ${opts.maxConcurrentRequests}), retry later` })
      }
      active++
      try {
        const decoded = path === INGEST_PATH ? await ingestSeries(req, body, opts) : await pushSeries(body, grpcWeb, opts)
        if ('status' in decoded) {
          opts.logger.debug({ reason: decoded.message, path }, 'push request refused')
          return refuse(decoded)
        }
        try {
          await opts.deliver(decoded)
        } catch (error) {
          // The server answers a failed delivery for the other routes; gRPC-Web wants it in its own framing.
          if (grpcWeb === undefined) throw error
          const { status, message } = grpcWebStatusOf(error)
          if (status >= 500) opts.logger.warn({ err: error }, 'push request failed')
          return sendGrpcWebError(res, grpcWeb, status, message)
        }
      } finally {
        active--
      }
      if (grpcWeb !== undefined) sendGrpcWebOk(res, grpcWeb)
      else if (path === INGEST_PATH) res.writeHead(200).end()
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    }
  }
}

async function ingestSeries(req: IncomingMessage, body: Buffer, opts: AlloyRoutesOptions): Promise<AcceptedSeries[] | Refusal> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams
  const nameParam = params.get('name')
  if (nameParam === null || nameParam === '') return { status: 400, message: 'the name query parameter is required (app.cpu{key=value,...})' }
  const name = parseIngestName(nameParam)
  if (!name.ok) return { status: 400, message: `invalid name: ${name.reason}` }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase()
  let bytes = body
  if (encoding === 'gzip') {
    const inflated = await gunzipOffLoop(body, opts.maxDecompressedBytes)
    if (!inflated.ok) return { status: 400, message: inflated.reason }
    bytes = inflated.data
  } else if (encoding !== 'identity') {
    return { status: 415, message: `unsupported Content-Encoding ${JSON.stringify(encoding)}` }
  }
  const contentType = req.headers['content-type'] ?? ''
  const decoded = await decodeIngestBody({ bytes, contentType }, name.name, ingestQuery(params), opts.maxDecompressedBytes)
  if (!decoded.ok) return { status: decoded.status, message: decoded.reason }
  return [{ labels: Object.freeze(ingestLabels(name.name, decoded.profileName)), samples: [{ raw: decoded.raw }] }]
}

/** A JSON or gRPC-Web push: the series it holds, checked as a protobuf push is. */
async function pushSeries(body: Buffer, grpcWeb: 'binary' | 'text' | undefined, opts: AlloyRoutesOptions): Promise<AcceptedSeries[] | Refusal> {
  if (grpcWeb === undefined) return jsonPushSeries(body, opts)
  const message = grpcWebMessage(body, grpcWeb)
  if (typeof message === 'string') return { status: 400, message }
  const validation = await validatePushBody(message, checksOf(opts))
  if (!validation.ok) return { status: 400, message: validation.reason }
  return opts.ensureServiceName ? withServiceName(validation.series) : validation.series
}

/** Connect's JSON form of PushRequest (protobuf JSON: `rawProfile` base64; proto names accepted too). */
export async function jsonPushSeries(body: Buffer, opts: Pick<AlloyRoutesOptions, 'maxDecompressedBytes' | 'ensureServiceName' | 'limits'>): Promise<AcceptedSeries[] | Refusal> {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch (error) {
    return { status: 400, message: `invalid JSON: ${(error as Error).message}` }
  }
  const series = toPushSeries(parsed)
  if (typeof series === 'string') return { status: 400, message: series }
  const validation = await validatePushBody(encodePushRequest(series), checksOf(opts))
  if (!validation.ok) return { status: 400, message: validation.reason }
  return opts.ensureServiceName ? withServiceName(validation.series) : validation.series
}

/** The checks of a protobuf push, with this receiver's limits. */
function checksOf(opts: Pick<AlloyRoutesOptions, 'maxDecompressedBytes' | 'ensureServiceName' | 'limits'>): PushValidationOptions {
  return {
    maxDecompressedBytes: opts.maxDecompressedBytes,
    ensureServiceName: opts.ensureServiceName === true,
    ...(opts.limits === undefined ? {} : { limits: opts.limits })
  }
}

function toPushSeries(value: unknown): PushSeries[] | string {
  const list = field(value, 'series')
  if (list === undefined) return []
  if (!Array.isArray(list)) return '"series" must be an array'
  const out: PushSeries[] = []
  for (const [i, s] of list.entries()) {
    const labels = field(s, 'labels') ?? []
    const samples = field(s, 'samples') ?? []
    if (!Array.isArray(labels) || !Array.isArray(samples)) return `series ${i}: "labels" and "samples" must be arrays`
    const pairs: [string, string][] = []
    for (const l of labels) {
      const n = field(l, 'name') ?? ''
      const v = field(l, 'value') ?? ''
      if (typeof n !== 'string' || typeof v !== 'string') return `series ${i}: a label's name and value must be strings`
      pairs.push([n, v])
    }
    const raws: { raw: Uint8Array; id: string }[] = []
    for (const sample of samples) {
      const raw = field(sample, 'rawProfile') ?? field(sample, 'raw_profile') ?? ''
      const id = field(sample, 'ID') ?? field(sample, 'id') ?? ''
      if (typeof raw !== 'string' || typeof id !== 'string') return `series ${i}: rawProfile must be base64 text and ID a string`
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) return `series ${i}: rawProfile is not base64`
      raws.push({ raw: Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64'), id })
    }
    out.push({ labels: pairs, samples: raws })
  }
  return out
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
}

function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
}

function tooLarge(max: number): Refusal {
  return { status: 413, message: `request body exceeds the limit of ${max} bytes` }
}

const CODES: Readonly<Record<number, string>> = { 400: 'invalid_argument', 405: 'unimplemented', 413: 'resource_exhausted', 415: 'invalid_argument', 503: 'unavailable' }

function send(res: ServerResponse, refusal: Refusal, close = false): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (refusal.status === 405) headers['allow'] = 'POST'
  if (refusal.status === 503) headers['retry-after'] = '1'
  if (close) headers['connection'] = 'close'
  res.writeHead(refusal.status, headers).end(JSON.stringify({ code: CODES[refusal.status] ?? 'unknown', message: refusal.message }))
}

/** The body, or undefined once it passes `max` (the rest is drained so the answer can still be written). */
