/**
 * How the receiver says no: an HTTP status with a Connect error code and a message (server.ts answers
 * it as Connect JSON), and the gRPC status the same refusal gets over gRPC and gRPC-Web.
 */
import { ProfileRefusedError } from '../write/index.js'

export type ConnectCode = 'invalid_argument' | 'resource_exhausted' | 'unimplemented' | 'unavailable' | 'internal' | 'deadline_exceeded'

export interface Refusal {
  readonly status: number
  readonly code: ConnectCode
  readonly message: string
  readonly headers?: Readonly<Record<string, string>>
}

/** 503: worth retrying after a moment, which Retry-After says. */
export function unavailable(message: string): Refusal {
  return { status: 503, code: 'unavailable', message, headers: { 'retry-after': '1' } }
}

export function tooLarge(maxBody: number): Refusal {
  return { status: 413, code: 'resource_exhausted', message: `request body exceeds the limit of ${maxBody} bytes` }
}

export function invalid(message: string): Refusal {
  return { status: 400, code: 'invalid_argument', message }
}

export function bodyTimedOut(timeoutMs: number): Refusal {
  return { status: 408, code: 'deadline_exceeded', message: `the request body did not arrive within ${timeoutMs} ms` }
}

/** How a handler's failure is answered: refusals that can never succeed are 400, a full queue is 503. */
export function refusalFor(error: unknown): Refusal {
  if (error instanceof ProfileRefusedError) {
    switch (error.code) {
      case 'WRITE_INVALID_LABELS':
        return invalid(error.message)
      case 'WRITE_QUEUE_FULL':
        return unavailable(error.message)
      default: {
        const unknown: never = error.code
        return { status: 500, code: 'internal', message: String(unknown) }
      }
    }
  }
  return { status: 500, code: 'internal', message: 'internal error' }
}

/** The gRPC status code of a refusal's HTTP status. */
export function grpcStatusCode(status: number): number {
  if (status === 400 || status === 415) return 3 // INVALID_ARGUMENT
  if (status === 408) return 4 // DEADLINE_EXCEEDED
  if (status === 413) return 8 // RESOURCE_EXHAUSTED
  if (status === 405 || status === 404) return 12 // UNIMPLEMENTED
  if (status === 503) return 14 // UNAVAILABLE
  return 13 // INTERNAL
}

/** `grpc-message` text as the gRPC protocol asks: UTF-8, with `%` and every byte outside 0x20–0x7E percent-encoded. */
export function grpcMessage(message: string): string {
  let out = ''
  for (const byte of Buffer.from(message, 'utf8')) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}
