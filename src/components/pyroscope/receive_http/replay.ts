/**
 * Retries of a request that was already handled (docs/hostile-input.md, "All or nothing"). A client whose
 * request timed out on its side retries it, while the receiver may have finished storing the first one:
 * without this, the profiles would be stored twice. The digest of every body handled in the last few
 * minutes is kept (bounded in count); a byte-identical body is answered 200 again without being handled
 * again, and one that arrives while its twin is still being handled is asked to retry. It applies only to
 * requests whose every sample carries Pyroscope's `RawSample.ID`, which names a push: without IDs, two
 * byte-identical bodies may be two real pushes (a target serving the same bytes at every scrape).
 */
import { webcrypto } from 'node:crypto'

export const REPLAY_WINDOW_MS = 5 * 60_000
export const MAX_REMEMBERED = 4096

export type ReplayState = 'new' | 'handled' | 'in-progress'

export class ReplayGuard {
  /** Digest → when it stops counting (handled), or 0 while in progress. Insertion order = age. */
  readonly #seen = new Map<string, number>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** SHA-256 of the body, computed off the event loop (WebCrypto runs on the thread pool). */
  static async digest(body: Uint8Array): Promise<string> {
    return Buffer.from(await webcrypto.subtle.digest('SHA-256', body)).toString('hex')
  }

  /** Where a body with this digest stands; 'new' marks it in progress until `finish`. */
  begin(digest: string): ReplayState {
    const at = this.#seen.get(digest)
    if (at === 0) return 'in-progress'
    if (at !== undefined && at > this.#now()) return 'handled'
    this.#seen.delete(digest)
    this.#seen.set(digest, 0)
    this.#trim()
    return 'new'
  }

  /** The body was handled (`ok`) and is remembered, or it was not and may be sent again. */
  finish(digest: string, ok: boolean): void {
    if (ok) this.#seen.set(digest, this.#now() + REPLAY_WINDOW_MS)
    else this.#seen.delete(digest)
  }

  #trim(): void {
    for (const [digest, at] of this.#seen) {
      if (this.#seen.size <= MAX_REMEMBERED) return
      if (at !== 0) this.#seen.delete(digest)
    }
  }
}
