/**
 * What drives the membership protocol: a transport and a scheduler, both injected so that the protocol
 * runs the same on libp2p (swim-transport.ts) and in the deterministic simulation (test/helpers/swim-sim.ts).
 * Callbacks, never promises: a simulated clock must be able to run every step.
 */
import type { Message, PeerRef } from './messages.js'

export interface Scheduler {
  now(): number
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void
}

export type RequestFailure = 'timeout' | 'refused' | 'error'
export type RequestResult = { readonly ok: true; readonly from: string; readonly msg: Message } | { readonly ok: false; readonly failure: RequestFailure; readonly detail: string }

/** A target is a member (`id` known) or a join address (`id` learned from the answer). */
export type Destination = { readonly id?: string; readonly addrs: readonly string[] }

export interface SwimTransport {
  /** Sends `msg` and calls `done` exactly once with the answer or why there is none. */
  request(to: Destination, msg: Message, timeoutMs: number, done: (result: RequestResult) => void): void
  /** Sends `msg`, expecting no answer. */
  send(to: PeerRef, msg: Message): void
}
