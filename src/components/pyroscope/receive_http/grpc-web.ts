/**
 * gRPC-Web framing for `POST /push.v1.PusherService/Push` (`application/grpc-web[+proto]` and the
 * base64 `application/grpc-web-text`), which works over the receiver's HTTP/1.1 server. A request body is
 * one length-prefixed message frame (flag 0: uncompressed; compressed frames are refused); the answer is an
 * empty PushResponse frame followed by a trailer frame, or a trailers-only error (`grpc-status` and
 * `grpc-message` headers). Plain gRPC, over HTTP/2, is grpc.ts. See docs/alloy-compatibility.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { grpcMessage, grpcStatusCode, refusalFor } from './refusal.js'

export function grpcWebMode(req: IncomingMessage): 'binary' | 'text' | undefined {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
  if (type === 'application/grpc-web' || type === 'application/grpc-web+proto') return 'binary'
  if (type === 'application/grpc-web-text' || type === 'application/grpc-web-text+proto') return 'text'
  return undefined
}

/** The message of a one-frame request body, or the reason it is not one. */
export function grpcWebMessage(body: Buffer, mode: 'binary' | 'text'): Uint8Array | string {
  const bytes = mode === 'text' ? Buffer.from(body.toString('latin1'), 'base64') : body
  if (bytes.length < 5) return 'the body is not a gRPC-Web frame'
  const flag = bytes[0] ?? 0
  const length = bytes.readUInt32BE(1)
  if (flag & 0x01) return 'compressed gRPC-Web messages are not supported'
  if (flag & 0x80) return 'the body starts with a trailer frame'
  if (bytes.length !== 5 + length) return `the frame declares ${length} bytes but the body holds ${bytes.length - 5}`
  return bytes.subarray(5)
}

export function grpcWebStatusOf(error: unknown): { status: number; message: string } {
  const refusal = refusalFor(error)
  return { status: refusal.status, message: refusal.message }
}

function contentType(mode: 'binary' | 'text'): string {
  return mode === 'text' ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto'
}

export function sendGrpcWebError(res: ServerResponse, mode: 'binary' | 'text', status: number, message: string): void {
  res
    .writeHead(200, { 'content-type': contentType(mode), 'grpc-status': String(grpcStatusCode(status)), 'grpc-message': grpcMessage(message) })
    .end()
}

export function sendGrpcWebOk(res: ServerResponse, mode: 'binary' | 'text'): void {
  const trailer = Buffer.from('grpc-status:0\r\ngrpc-message:\r\n', 'latin1')
  const frames = Buffer.alloc(5 + 5 + trailer.length)
  // An empty PushResponse (flag 0, length 0), then the trailer frame (flag 0x80).
  frames[5] = 0x80
  frames.writeUInt32BE(trailer.length, 6)
  trailer.copy(frames, 10)
  res.writeHead(200, { 'content-type': contentType(mode) }).end(mode === 'text' ? frames.toString('base64') : frames)
}
