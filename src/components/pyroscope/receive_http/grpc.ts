/**
 * Plain gRPC `push.v1.PusherService/Push` over cleartext HTTP/2, on the receiver's port (listener.ts).
 * The request body is one length-prefixed message (uncompressed, or gzip with `grpc-encoding: gzip`); it
 * is checked and handled exactly as a Connect protobuf push (push-handling.ts). The limits of the HTTP/1.1
 * path hold: admission before the body is read, the body deadline, the body limit (on the message, and on
 * its inflated size when compressed). The answer is an empty PushResponse and `grpc-status: 0` in the
 * trailers, or a trailers-only response with the gRPC status of the refusal (refusal.ts); when the body was
 * not read to its end, the stream is then reset with NO_ERROR so the client stops sending.
 *
 * Only gRPC is served over HTTP/2: any other request gets 505 and goes to HTTP/1.1 (docs/alloy-compatibility.md).
 */
import { constants } from 'node:http2'
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2'
import { gunzipOffLoop } from '../../../pprof/index.js'
import type { Logger } from '../../../util/logger.js'
import { PUSH_PATH } from '../write/index.js'
import type { Admission } from './admission.js'
import { readBody } from './body.js'
import type { PushHandler } from './push-handling.js'
import { bodyTimedOut, grpcMessage, grpcStatusCode, invalid, refusalFor, tooLarge, unavailable } from './refusal.js'
import type { Refusal } from './refusal.js'

/** Flag byte and 4-byte length before each message. */
const FRAME_HEADER_BYTES = 5
/** An empty PushResponse: flag 0, length 0. */
const EMPTY_RESPONSE = Buffer.alloc(FRAME_HEADER_BYTES)
const ACCEPT_ENCODING = 'identity,gzip'

export interface GrpcHandlerOptions {
  readonly admission: Admission
  readonly push: PushHandler
  /** Limit of the message, and of its inflated size when it comes compressed. */
  readonly maxBodyBytes: number
  readonly bodyTimeoutMs: number
  readonly logger: Logger
  /** Counts an answer under the HTTP status the same answer gets over HTTP/1.1. */
  readonly countStatus: (status: number) => void
}

export function createGrpcHandler(opts: GrpcHandlerOptions): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void {
  return (stream, headers) => {
    // A reset or a broken session surfaces here; what follows sees the stream closed.
    stream.on('error', (error) => opts.logger.debug({ err: error }, 'gRPC stream error'))
    handleStream(stream, headers, opts).catch((error: unknown) => {
      const refusal = refusalFor(error)
      if (refusal.status >= 500) opts.logger.warn({ err: error }, 'gRPC push failed')
      else opts.logger.debug({ reason: refusal.message }, 'gRPC push refused')
      refuse(stream, refusal, opts)
    })
  }
}

async function handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, opts: GrpcHandlerOptions): Promise<void> {
  const early = checkHeaders(headers)
  if (early !== undefined) {
    if (early === 'not-grpc') return notGrpc(stream, opts)
    return refuse(stream, early, opts, true)
  }
  const declared = Number(headers['content-length'] ?? Number.NaN)
  const admitted = opts.admission.admit(stream.session?.socket?.remoteAddress ?? '', Number.isFinite(declared) ? declared : opts.maxBodyBytes)
  if (!admitted.ok) return refuse(stream, unavailable(admitted.reason), opts, true)
  try {
    const body = await readBody(stream, opts.maxBodyBytes + FRAME_HEADER_BYTES, opts.bodyTimeoutMs)
    if (body === 'timeout') return refuse(stream, bodyTimedOut(opts.bodyTimeoutMs), opts, true)
    if (body === undefined) return refuse(stream, tooLarge(opts.maxBodyBytes), opts, true)
    const message = await messageOf(body, headers['grpc-encoding'] === 'gzip', opts.maxBodyBytes)
    if (!(message instanceof Uint8Array)) return refuse(stream, message, opts)
    const gone = new AbortController()
    const onClose = (): void => gone.abort(new Error('the client closed the stream'))
    stream.once('close', onClose)
    const outcome = await opts.push(message, gone.signal).finally(() => stream.off('close', onClose))
    if (outcome === 'accepted' || outcome === 'replayed') return respondOk(stream, opts)
    return refuse(stream, outcome, opts)
  } finally {
    admitted.release()
  }
}

/** What can be refused from the headers alone; 'not-grpc' for a request of another protocol. */
function checkHeaders(headers: IncomingHttpHeaders): Refusal | 'not-grpc' | undefined {
  const type = (headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
  if (type !== 'application/grpc' && !type.startsWith('application/grpc+')) return 'not-grpc'
  if (headers[':method'] !== 'POST') return { status: 405, code: 'unimplemented', message: `method ${headers[':method'] ?? ''} is not allowed, use POST` }
  if (headers[':path'] !== PUSH_PATH) return { status: 404, code: 'unimplemented', message: `unknown method ${headers[':path'] ?? ''}` }
  if (type !== 'application/grpc' && type !== 'application/grpc+proto') return invalid(`unsupported content type ${type}: only protobuf messages are served`)
  const encoding = headers['grpc-encoding'] ?? 'identity'
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { status: 404, code: 'unimplemented', message: `unsupported grpc-encoding ${encoding}`, headers: { 'grpc-accept-encoding': ACCEPT_ENCODING } }
  }
  return undefined
}

/** The one message of a unary request body, inflated (off the event loop) when compressed; or why it cannot be had. */
async function messageOf(body: Buffer, gzip: boolean, maxBytes: number): Promise<Uint8Array | Refusal> {
  if (body.length < FRAME_HEADER_BYTES) return invalid('the body is not a gRPC message frame')
  const compressed = (body[0] ?? 0) & 0x01
  const length = body.readUInt32BE(1)
  if (body.length !== FRAME_HEADER_BYTES + length) {
    return invalid(`a unary request holds one message: the frame declares ${length} bytes but the body holds ${body.length - FRAME_HEADER_BYTES}`)
  }
  const message = body.subarray(FRAME_HEADER_BYTES)
  if (compressed === 0) return message
  if (!gzip) return invalid('a compressed message without a grpc-encoding')
  const inflated = await gunzipOffLoop(message, maxBytes)
  if (inflated.ok) return inflated.data
  return inflated.code === 'PPROF_DECOMPRESSED_TOO_LARGE' ? tooLarge(maxBytes) : invalid(`the compressed message: ${inflated.reason}`)
}

function respondOk(stream: ServerHttp2Stream, opts: GrpcHandlerOptions): void {
  if (stream.destroyed || stream.headersSent) return
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': ACCEPT_ENCODING }, { waitForTrailers: true })
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }))
  stream.end(EMPTY_RESPONSE)
  opts.countStatus(200)
}

/** A trailers-only answer; `unread` resets the stream after it, as the client may still be sending. */
function refuse(stream: ServerHttp2Stream, refusal: Refusal, opts: GrpcHandlerOptions, unread = false): void {
  if (stream.destroyed || stream.headersSent) return
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(grpcStatusCode(refusal.status)),
      'grpc-message': grpcMessage(refusal.message),
      ...refusal.headers
    },
    { endStream: true }
  )
  opts.countStatus(refusal.status)
  if (unread) stream.close(constants.NGHTTP2_NO_ERROR)
}

function notGrpc(stream: ServerHttp2Stream, opts: GrpcHandlerOptions): void {
  if (stream.destroyed || stream.headersSent) return
  const body = JSON.stringify({ code: 'unimplemented', message: 'only gRPC is served over HTTP/2: use HTTP/1.1 for Connect, gRPC-Web and /ingest' })
  stream.respond({ ':status': 505, 'content-type': 'application/json' })
  stream.end(body)
  opts.countStatus(505)
  stream.close(constants.NGHTTP2_NO_ERROR)
}
