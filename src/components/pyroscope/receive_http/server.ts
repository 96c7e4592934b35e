/**
 * Pyroscope's push endpoint on node:http: `POST /push.v1.PusherService/Push` (Connect unary, protobuf), plus
 * `GET /-/ready`; on the same port, gRPC over cleartext HTTP/2 (grpc.ts, listener.ts) and Alloy's other
 * routes (ingest.ts). A request is either accepted whole (200, every series handed to `onProfile`) or refused
 * whole with a Connect error JSON body, so nothing of a bad request is stored or forwarded.
 *
 * Status codes, as a Connect server answers them:
 * - 400 `invalid_argument`: malformed protobuf, no series, a series without labels or samples, an invalid
 *   label, a raw_profile that is empty or not a pprof profile (gzipped or not; gzip bombs are cut at
 *   `maxDecompressedBytes`), an unsupported Connect-Protocol-Version.
 * - 413 `resource_exhausted`: the body is larger than `maxBodyBytes` (checked on Content-Length and while
 *   streaming). Not 429, which Connect would use: clients (ours, Alloy) retry 429, and the same body would be
 *   refused again.
 * - 415 `invalid_argument`: a Content-Type other than application/proto, or a Content-Encoding.
 * - 400 `invalid_argument` too when the handler refuses the request with a ProfileRefusedError
 *   `WRITE_INVALID_LABELS` (the same request would be refused again), 503 `unavailable` for
 *   `WRITE_QUEUE_FULL` (worth retrying later).
 * - 503 `unavailable` (always with `Retry-After`) when the client address already has its share of requests in
 *   progress, when the bodies being read would pass their byte budget (admission.ts), or when
 *   `maxConcurrentRequests` complete bodies are already being handled.
 * - 408 `deadline_exceeded` when the body does not arrive within `bodyTimeoutMs` of the request head (the
 *   connection is then closed); a head that takes longer than `headerTimeoutMs` is cut by node:http.
 * - 400 too when the request holds more series, profiles or label bytes than `limits` allow, or a raw_profile
 *   would decode past its budget (docs/hostile-input.md).
 * - 405 on another method (with `Allow: POST`), 404 `unimplemented` on another path, 500 `internal` when
 *   the handler fails otherwise.
 * - 200 without handling it again for a byte-identical retry (every sample with an ID) of a request handled
 *   in the last minutes (replay.ts), 503 while its twin is still being handled.
 *
 * The handler is `onRequest` (every series of the request in one call: what it does with them can be all or
 * nothing) or `onProfile` (called once per series, in order; a failure at series N leaves 1..N-1 handled).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttp2Server } from 'node:http2'
import type { Http2Server } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'
import { Counter } from 'prom-client'
import type { Registry } from 'prom-client'
import type { Labels } from '../../../util/labels.js'
import type { Logger } from '../../../util/logger.js'
import type { RawSample } from '../receiver.js'
import { PUSH_PATH } from '../write/index.js'
import { createAlloyRoutes } from './ingest.js'
import type { AcceptedSeries } from './validate.js'
import { Admission, DEFAULT_ADMISSION_LIMITS } from './admission.js'
import type { AdmissionLimits } from './admission.js'
import { readBody } from './body.js'
import { createGrpcHandler } from './grpc.js'
import type { PushLimits } from './limits.js'
import { shareListeningPort } from './listener.js'
import { RequestDrain } from './drain.js'
import { createPushHandler } from './push-handling.js'
import type { PushHandler } from './push-handling.js'
import { bodyTimedOut, refusalFor, tooLarge, unavailable } from './refusal.js'
import type { Refusal } from './refusal.js'

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024
/** Push requests handled at once; more are answered 503 before their body is read. */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 8
/** A request head must arrive within this. */
export const DEFAULT_HEADER_TIMEOUT_MS = 5_000
/** A body must arrive within this of its head: 64 MiB at about 7 MB/s. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000
/** How often node:http looks for requests past their header or request deadline. */
const DEADLINE_CHECK_INTERVAL_MS = 500
/** After the body deadline, how long a request being handled at close may still take to be answered. */
const DRAIN_MARGIN_MS = 5_000
/** gRPC pushes one HTTP/2 connection may have open at once (admission bounds each client further). */
const GRPC_MAX_CONCURRENT_STREAMS = 16

export interface ReceiveServerOptions {
  readonly host: string
  /** 0 picks a free port; read it from `address`. */
  readonly port: number
  readonly maxBodyBytes?: number
  readonly maxDecompressedBytes?: number
  /** Push requests read, checked and handled at once; default DEFAULT_MAX_CONCURRENT_REQUESTS. */
  readonly maxConcurrentRequests?: number
  readonly headerTimeoutMs?: number
  readonly bodyTimeoutMs?: number
  readonly admission?: Partial<AdmissionLimits>
  /** Series, profiles and labels per request; default DEFAULT_PUSH_LIMITS. */
  readonly limits?: PushLimits
  /** Takes every series of an accepted request at once. Exactly one of onRequest and onProfile is given. */
  readonly onRequest?: (series: readonly AcceptedSeries[]) => Promise<void>
  /** Takes the series of an accepted request one at a time. */
  readonly onProfile?: (labels: Labels, samples: readonly RawSample[]) => Promise<void>
  /** Alloy receive_http's `ensureServiceName` on pushed series (the component sets it; a Pyroscope stand-in does not). */
  readonly ensureServiceName?: boolean
  readonly logger: Logger
  readonly registry?: Registry
  /** Extra GET/HEAD paths (health, metrics) answered on the same port, as `shardscope receive` serves them. */
  readonly routes?: Readonly<Record<string, (req: IncomingMessage, res: ServerResponse) => void>>
}

export interface ReceiveServer {
  readonly address: { readonly host: string; readonly port: number }
  close(): Promise<void>
}

export async function startReceiveServer(opts: ReceiveServerOptions): Promise<ReceiveServer> {
  const requests = opts.registry === undefined ? undefined : requestCounter(opts.registry)
  const countStatus = (status: number): void => requests?.inc({ code: String(status) })
  const admission = new Admission({ ...DEFAULT_ADMISSION_LIMITS, ...opts.admission })
  const maxConcurrent = Math.max(1, opts.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS)
  const push = createPushHandler({
    maxConcurrentRequests: maxConcurrent,
    maxDecompressedBytes: opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES,
    ensureServiceName: opts.ensureServiceName === true,
    deliver: handlerOf(opts),
    logger: opts.logger,
    ...(opts.limits === undefined ? {} : { limits: opts.limits })
  })
  const handler = createHandler(opts, admission, push, countStatus)
  const headersTimeout = opts.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS
  const bodyTimeout = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS
  const server = createServer({
    headersTimeout,
    // A backstop behind the body deadline of the handler, which answers first.
    requestTimeout: headersTimeout + bodyTimeout + 1_000,
    connectionsCheckingInterval: DEADLINE_CHECK_INTERVAL_MS
  }, (req, res) => {
    drain.started(req.socket, res)
    handler(req, res).catch((error: unknown) => {
      const refusal = refusalFor(error)
      if (refusal.status >= 500) opts.logger.warn({ err: error }, 'push request failed')
      else opts.logger.debug({ reason: refusal.message }, 'push request refused')
      if (!res.headersSent) sendError(res, refusal)
      else res.destroy()
    })
  })
  const grpc = createGrpcServer(opts, admission, push, countStatus, headersTimeout + bodyTimeout + 1_000)
  const sockets = new Set<Socket>()
  const drain = new RequestDrain()
  shareListeningPort(server, grpc, {
    sniffTimeoutMs: headersTimeout,
    accept: (socket) => {
      const client = socket.remoteAddress ?? ''
      if (!admission.connectionOpened(client)) return false
      sockets.add(socket)
      socket.once('close', () => {
        sockets.delete(socket)
        admission.connectionClosed(client)
      })
      return true
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const info = server.address() as AddressInfo
  return {
    address: { host: info.address, port: info.port },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        // A request being handled gets its answer first: its profiles may be stored already, and a client
        // that never heard so would push them again to whoever listens next (a restarted receiver has no
        // memory of the first push to recognise the retry by). Everything else ends now: idle keep-alive
        // connections, HTTP/2 sessions and connections still being sniffed.
        drain.close(sockets, bodyTimeout + DRAIN_MARGIN_MS)
      })
  }
}

/** The HTTP/2 side of the port: gRPC pushes; a session idle for `idleMs` is closed (GOAWAY). */
function createGrpcServer(opts: ReceiveServerOptions, admission: Admission, push: PushHandler, countStatus: (status: number) => void, idleMs: number): Http2Server {
  const server = createHttp2Server({ settings: { maxConcurrentStreams: GRPC_MAX_CONCURRENT_STREAMS } })
  server.on('stream', createGrpcHandler({
    admission,
    push,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    bodyTimeoutMs: opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    logger: opts.logger,
    countStatus
  }))
  server.on('session', (session) => session.setTimeout(idleMs, () => session.close()))
  server.on('sessionError', (error, session) => {
    opts.logger.debug({ err: error }, 'HTTP/2 session error')
    session.destroy()
  })
  return server
}

function createHandler(
  opts: ReceiveServerOptions,
  admission: Admission,
  push: PushHandler,
  countStatus: (status: number) => void
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const bodyTimeout = opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const maxDecompressed = opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
  const maxConcurrent = Math.max(1, opts.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS)
  const alloyRoutes = createAlloyRoutes({
    maxBodyBytes: maxBody,
    maxDecompressedBytes: maxDecompressed,
    maxConcurrentRequests: maxConcurrent,
    deliver: handlerOf(opts),
    logger: opts.logger,
    ensureServiceName: opts.ensureServiceName === true,
    ...(opts.limits === undefined ? {} : { limits: opts.limits })
  })
  /** Admission before the body is read; a refused client's connection is closed (it may never send that body). */
  const admit = (req: IncomingMessage, res: ServerResponse): { release(): void } | undefined => {
    const declared = Number(req.headers['content-length'] ?? Number.NaN)
    const admitted = admission.admit(req.socket.remoteAddress ?? '', Number.isFinite(declared) ? declared : maxBody)
    if (admitted.ok) return admitted
    sendError(res, unavailable(admitted.reason), true)
    res.once('finish', () => req.socket.destroy())
    return undefined
  }
  return async (req, res) => {
    res.once('finish', () => countStatus(res.statusCode))
    const path = (req.url ?? '/').split('?', 1)[0]
    if (path === '/-/ready' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ready\n')
      return
    }
    if (path !== undefined && alloyRoutes.handles(path, req)) {
      // /ingest, JSON and gRPC-Web pushes take the same admission and body deadline as protobuf pushes.
      const admitted = admit(req, res)
      if (admitted === undefined) return
      try {
        await alloyRoutes.handle(path, req, res, (r, limit) => readBody(r, limit, bodyTimeout))
      } finally {
        admitted.release()
      }
      return
    }
    const route = path === undefined || !Object.hasOwn(opts.routes ?? {}, path) ? undefined : opts.routes?.[path]
    if (route !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
      route(req, res)
      return
    }
    if (path !== PUSH_PATH) {
      sendError(res, { status: 404, code: 'unimplemented', message: `no handler for ${path ?? ''}` })
      return
    }
    const refusal = checkHeaders(req, maxBody)
    if (refusal !== undefined) {
      sendError(res, refusal)
      return
    }
    const admitted = admit(req, res)
    if (admitted === undefined) return
    try {
      const body = await readBody(req, maxBody, bodyTimeout)
      if (body === 'timeout') {
        sendError(res, bodyTimedOut(bodyTimeout), true)
        res.once('finish', () => req.socket.destroy())
        return
      }
      if (body === undefined) {
        sendError(res, tooLarge(maxBody), true)
        return
      }
      const gone = new AbortController()
      const onClose = (): void => {
        if (!res.writableFinished) gone.abort(new Error('the client closed the connection'))
      }
      res.once('close', onClose)
      const outcome = await push(body, gone.signal).finally(() => res.off('close', onClose))
      if (typeof outcome === 'object') {
        sendError(res, outcome)
        return
      }
    } finally {
      admitted.release()
    }
    // Connect unary success (also for a replayed retry): a serialized (empty) PushResponse.
    res.writeHead(200, { 'content-type': 'application/proto' }).end()
  }
}

function handlerOf(opts: ReceiveServerOptions): (series: readonly AcceptedSeries[]) => Promise<void> {
  const { onRequest, onProfile } = opts
  if (onRequest !== undefined && onProfile === undefined) return onRequest
  if (onProfile !== undefined && onRequest === undefined) {
    return async (series) => {
      for (const s of series) await onProfile(s.labels, s.samples)
    }
  }
  throw new TypeError('startReceiveServer needs exactly one of onRequest and onProfile')
}

/** Everything that can be refused before reading the body. */
function checkHeaders(req: IncomingMessage, maxBody: number): Refusal | undefined {
  if (req.method !== 'POST') {
    return { status: 405, code: 'unimplemented', message: `method ${req.method ?? ''} is not allowed, use POST` }
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
  if (mediaType !== 'application/proto') {
    return { status: 415, code: 'invalid_argument', message: `unsupported Content-Type ${JSON.stringify(mediaType)}, expected application/proto` }
  }
  const encoding = req.headers['content-encoding']
  if (encoding !== undefined && encoding !== 'identity') {
    return { status: 415, code: 'invalid_argument', message: `unsupported Content-Encoding ${JSON.stringify(encoding)}` }
  }
  const version = req.headers['connect-protocol-version']
  if (version !== undefined && version !== '1') {
    return { status: 400, code: 'invalid_argument', message: `unsupported Connect-Protocol-Version ${JSON.stringify(version)}, expected 1` }
  }
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > maxBody) return tooLarge(maxBody)
  return undefined
}

/** A Connect error: JSON `{code, message}`. `close` ends the connection when the body was not read to its end. */
function sendError(res: ServerResponse, refusal: Refusal, close = false): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...refusal.headers }
  if (refusal.status === 405) headers['allow'] = 'POST'
  if (close) headers['connection'] = 'close'
  res.writeHead(refusal.status, headers).end(JSON.stringify({ code: refusal.code, message: refusal.message }))
}

function requestCounter(registry: Registry): Counter<'code'> {
  const name = 'shardscope_receive_http_requests_total'
  const existing: unknown = registry.getSingleMetric(name)
  if (existing instanceof Counter) return existing as Counter<'code'>
  return new Counter({ name, help: 'Push API requests received, by HTTP status.', labelNames: ['code'], registers: [registry] })
}
