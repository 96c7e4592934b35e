/**
 * Who may send a push body now (docs/hostile-input.md, "Receiver"). Reading a body is the phase a client
 * controls: eight sockets that send a request head and then nothing held every push slot for 300 s.
 * So reading is admitted separately from handling: each client address may read a few bodies at once,
 * all bodies being read together reserve at most a byte budget (their Content-Length, or the body limit
 * when it is not declared), and every read has a deadline (server.ts). Handling slots are taken only
 * once a body is complete.
 */

export interface AdmissionLimits {
  /** Push requests one client address may have in progress (reading or handled). */
  readonly maxRequestsPerClient: number
  /** Open connections one client address may hold; more are closed on accept. */
  readonly maxConnectionsPerClient: number
  /** Bytes reserved by all bodies being read or handled at once. */
  readonly maxBodyBytesInFlight: number
}

export const DEFAULT_ADMISSION_LIMITS: AdmissionLimits = Object.freeze({
  maxRequestsPerClient: 4,
  maxConnectionsPerClient: 32,
  maxBodyBytesInFlight: 256 * 1024 * 1024
})

export type Admitted = { readonly ok: true; release(): void } | { readonly ok: false; readonly reason: string }

export class Admission {
  readonly #limits: AdmissionLimits
  readonly #requests = new Map<string, number>()
  readonly #connections = new Map<string, number>()
  #bodyBytes = 0

  constructor(limits: AdmissionLimits) {
    this.#limits = limits
  }

  /** A connection from `client` opened; false when it must be closed. Call `closed` for every true. */
  connectionOpened(client: string): boolean {
    const n = this.#connections.get(client) ?? 0
    if (n >= this.#limits.maxConnectionsPerClient) return false
    this.#connections.set(client, n + 1)
    return true
  }

  connectionClosed(client: string): void {
    const n = (this.#connections.get(client) ?? 1) - 1
    if (n <= 0) this.#connections.delete(client)
    else this.#connections.set(client, n)
  }

  /** Admits a request from `client` whose body may take `bytes`; release it once it is answered. */
  admit(client: string, bytes: number): Admitted {
    const n = this.#requests.get(client) ?? 0
    if (n >= this.#limits.maxRequestsPerClient) {
      return { ok: false, reason: `too many push requests in progress from ${client} (limit ${this.#limits.maxRequestsPerClient}), retry later` }
    }
    if (this.#bodyBytes > 0 && this.#bodyBytes + bytes > this.#limits.maxBodyBytesInFlight) {
      return { ok: false, reason: `too many push bytes in progress (limit ${this.#limits.maxBodyBytesInFlight} bytes), retry later` }
    }
    this.#requests.set(client, n + 1)
    this.#bodyBytes += bytes
    let released = false
    return {
      ok: true,
      release: () => {
        if (released) return
        released = true
        this.#bodyBytes -= bytes
        const left = (this.#requests.get(client) ?? 1) - 1
        if (left <= 0) this.#requests.delete(client)
        else this.#requests.set(client, left)
      }
    }
  }
}
