/**
 * The membership protocol over the libp2p node: encodes and decodes messages, classifies failures the way
 * the protocol needs them (a refused connection is evidence, a timeout only a hint), and counts what goes
 * in and out. Every incoming message is untrusted: anything that does not decode is ignored and counted,
 * never an error (docs/cluster-protocol.md "Messages").
 */
import { decodeMessage, encodeMessage } from './swim/messages.js'
import type { InvalidReason, Message, PeerRef } from './swim/messages.js'
import type { Destination, RequestFailure, RequestResult, Scheduler, Swim, SwimTransport } from './swim/protocol.js'
import type { ClusterNode } from './node.js'

export interface TransportCounters {
  message(direction: 'in' | 'out', type: string, bytes: number): void
  invalid(reason: InvalidReason | 'send_failed', detail: string, from: string): void
  /** A request that got no answer (for debug logs). */
  failed?(to: Destination, type: string, detail: string, elapsedMs: number): void
}

/** How long a one-way message may take to go out (dial included). */
const SEND_TIMEOUT_MS = 3_000
/**
 * How long setting up a new connection may take (TCP, noise, yamux: several round trips): a probe's own
 * timeout covers only its exchange, as over memberlist's UDP. A process that is gone refuses at once.
 */
const CONNECT_TIMEOUT_MS = 2_000

export function libp2pTransport(node: ClusterNode, cluster: string, counters: TransportCounters, scheduler: Scheduler): SwimTransport {
  const encode = (msg: Message): Uint8Array => {
    const bytes = encodeMessage(cluster, msg)
    counters.message('out', msg.type, bytes.byteLength)
    return bytes
  }
  return {
    request: (to: Destination, msg: Message, timeoutMs: number, done: (r: RequestResult) => void) => {
      const startedMs = scheduler.now()
      // The protocol's timing must not depend on how promptly libp2p honours an abort (a dial in its queue
      // or a handshake under way may take longer to give up): the answer is due by `timeoutMs`, or never.
      let settled = false
      const finish = (r: RequestResult): void => {
        if (settled) return
        settled = true
        cancelTimer()
        done(r)
      }
      const cancelTimer = scheduler.after(CONNECT_TIMEOUT_MS + timeoutMs + 20, () => finish({ ok: false, failure: 'timeout', detail: `no answer within ${timeoutMs} ms` }))
      node.request(to, encode(msg), timeoutMs, CONNECT_TIMEOUT_MS).then(
        ({ from, data }) => {
          const decoded = decodeMessage(data, cluster)
          if (!decoded.ok) {
            counters.invalid(decoded.reason, decoded.detail, from)
            finish({ ok: false, failure: 'error', detail: `invalid answer: ${decoded.reason}` })
            return
          }
          counters.message('in', decoded.msg.type, data.byteLength)
          finish({ ok: true, from, msg: decoded.msg })
        },
        (err: unknown) => {
          const detail = describeError(err)
          counters.failed?.(to, msg.type, detail, scheduler.now() - startedMs)
          finish({ ok: false, failure: classifyFailure(err), detail })
        }
      )
    },
    send: (to: PeerRef, msg: Message) => {
      node.send(to, encode(msg), SEND_TIMEOUT_MS).catch((err: unknown) => counters.invalid('send_failed', describeError(err), to.id))
    }
  }
}

/** Wires incoming messages into the protocol: decoded, counted, answered when an answer is due. */
export function serveMembership(node: ClusterNode, swim: Swim, cluster: string, counters: TransportCounters, answerTimeoutMs: number, scheduler: Scheduler): void {
  node.onMessage(async (from, data) => {
    const decoded = decodeMessage(data, cluster)
    if (!decoded.ok) {
      counters.invalid(decoded.reason, decoded.detail, from)
      return undefined
    }
    counters.message('in', decoded.msg.type, data.byteLength)
    if (!expectsAnswer(decoded.msg)) {
      swim.handle(from, decoded.msg, () => undefined)
      return undefined
    }
    const answer = await new Promise<Message | undefined>((resolve) => {
      const cancel = scheduler.after(answerTimeoutMs, () => resolve(undefined))
      swim.handle(from, decoded.msg, (reply) => {
        cancel()
        resolve(reply)
      })
    })
    return answer === undefined ? undefined : encodeMessage(cluster, answer)
  })
}

export function expectsAnswer(msg: Message): boolean {
  return msg.type === 'ping' || msg.type === 'ping-req' || msg.type === 'sync' || (msg.type === 'state' && msg.reply)
}

/** A refused connection means nothing listens there: the member's process is gone. */
export function classifyFailure(err: unknown): RequestFailure {
  const text = describeError(err)
  if (/ECONNREFUSED/.test(text)) return 'refused'
  if (/Timeout|abort/i.test(text)) return 'timeout'
  return 'error'
}

/** The error and its causes in one line (libp2p wraps socket errors in AggregateError and `cause`). */
export function describeError(err: unknown): string {
  const parts: string[] = []
  let e: unknown = err
  for (let depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const x = e as { name?: string; message?: string; code?: string; errors?: unknown[]; cause?: unknown }
    parts.push(`${x.name ?? 'Error'}: ${x.message ?? String(e)}${x.code ? ` (${x.code})` : ''}`)
    if (Array.isArray(x.errors) && x.errors.length > 0) parts.push(...x.errors.slice(0, 3).map((inner) => describeError(inner)))
    e = x.cause
  }
  return parts.join(' <- ').slice(0, 500)
}
