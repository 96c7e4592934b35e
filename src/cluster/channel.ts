/**
 * Membership messages over one long-lived stream per connection and direction, instead of a stream per
 * message: opening a libp2p stream (yamux frames, multistream-select, a noise frame each) cost ~2.9 ms of CPU
 * per exchange on both ends together, a frame on an open stream ~0.23 ms (docs/cluster-protocol.md
 * "Transport").
 *
 * Each frame is length-prefixed by the stream below; inside: kind (1 byte), id (4 bytes, big-endian), payload.
 * The side that opened the stream sends requests and one-way messages; the other side answers requests
 * by id, in any order. Anything that is not a frame ends the stream: the opener opens another.
 */

export const FRAME_REQUEST = 1
export const FRAME_ONE_WAY = 2
export const FRAME_ANSWER = 3
/** The request was handled but has no answer (a message the protocol does not answer, or one refused). */
export const FRAME_NO_ANSWER = 4

export const FRAME_HEADER_BYTES = 5
const MAX_ID = 0xffff_ffff

export interface Frame {
  readonly kind: number
  readonly id: number
  readonly payload: Uint8Array
}

export function encodeFrame(kind: number, id: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.byteLength)
  frame[0] = kind
  new DataView(frame.buffer).setUint32(1, id)
  frame.set(payload, FRAME_HEADER_BYTES)
  return frame
}

export function decodeFrame(bytes: Uint8Array): Frame | undefined {
  if (bytes.byteLength < FRAME_HEADER_BYTES) return undefined
  const kind = bytes[0] as number
  if (kind < FRAME_REQUEST || kind > FRAME_NO_ANSWER) return undefined
  const id = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1)
  return { kind, id, payload: bytes.subarray(FRAME_HEADER_BYTES) }
}

/** One frame at a time over a stream (length-prefixed below). `read` rejects once the stream has ended. */
export interface FrameStream {
  read(): Promise<Uint8Array>
  write(frame: Uint8Array): Promise<void>
  /** Ends the stream at once (both directions). */
  abort(reason: Error): void
}

export class ChannelClosedError extends Error {
  override readonly name = 'ChannelClosedError'
}

interface Pending {
  resolve(answer: Uint8Array | undefined): void
  reject(err: unknown): void
}

/**
 * The opener's side: requests wait for the answer with their id; writes go out one after the other. A write
 * that does not complete before its caller's deadline (a peer that stopped reading) ends the channel, since
 * the frames after it could no longer be told apart.
 */
export class ChannelClient {
  readonly #stream: FrameStream
  readonly #pending = new Map<number, Pending>()
  readonly #idleMs: number
  #idleTimer: ReturnType<typeof setTimeout> | undefined
  #nextId = 1
  #writes: Promise<void> = Promise.resolve()
  #closed: Error | undefined

  /**
   * `idleMs`: the channel ends after this long with nothing to send or wait for. An open stream keeps libp2p
   * from pruning its connection, so channels to members this node rarely talks to must not pile up.
   */
  constructor(stream: FrameStream, onClosed: () => void, idleMs: number) {
    this.#stream = stream
    this.#idleMs = idleMs
    this.#armIdle()
    void this.#readAnswers().finally(() => {
      clearTimeout(this.#idleTimer)
      onClosed()
    })
  }

  get closed(): boolean {
    return this.#closed !== undefined
  }

  /** Resolves with the answer, or `undefined` when the other side had none. */
  request(payload: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
    if (this.#closed) return Promise.reject(this.#closed)
    const id = this.#nextId
    this.#nextId = id === MAX_ID ? 1 : id + 1
    return new Promise<Uint8Array | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending.delete(id)
        reject(signal.reason)
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      const settle = (): void => {
        signal.removeEventListener('abort', onAbort)
        this.#pending.delete(id)
      }
      this.#pending.set(id, {
        resolve: (answer) => {
          settle()
          resolve(answer)
        },
        reject: (err) => {
          settle()
          reject(err)
        }
      })
      this.#write(encodeFrame(FRAME_REQUEST, id, payload), signal).catch((err: unknown) => this.#pending.get(id)?.reject(err))
    })
  }

  send(payload: Uint8Array, signal: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(this.#closed)
    return this.#write(encodeFrame(FRAME_ONE_WAY, 0, payload), signal)
  }

  close(reason: Error): void {
    clearTimeout(this.#idleTimer)
    this.#fail(reason)
    this.#stream.abort(reason)
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer)
    this.#idleTimer = setTimeout(() => {
      if (this.#pending.size > 0) this.#armIdle()
      else this.close(new ChannelClosedError('idle'))
    }, this.#idleMs)
    this.#idleTimer.unref()
  }

  #write(frame: Uint8Array, signal: AbortSignal): Promise<void> {
    this.#armIdle()
    const written = this.#writes.then(() => {
      if (this.#closed) throw this.#closed
      return this.#stream.write(frame)
    })
    this.#writes = written.catch(() => undefined)
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.close(new ChannelClosedError('a membership frame could not be written in time'))
        reject(signal.reason)
      }
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      written.then(
        () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort)
          reject(err)
        }
      )
    })
  }

  async #readAnswers(): Promise<void> {
    try {
      for (;;) {
        const frame = decodeFrame(await this.#stream.read())
        if (frame === undefined || (frame.kind !== FRAME_ANSWER && frame.kind !== FRAME_NO_ANSWER)) {
          this.close(new ChannelClosedError('the other side sent something that is not an answer frame'))
          return
        }
        // An answer whose request already gave up (its deadline passed) is dropped.
        this.#pending.get(frame.id)?.resolve(frame.kind === FRAME_ANSWER ? frame.payload : undefined)
      }
    } catch (err) {
      this.#fail(err instanceof Error ? err : new ChannelClosedError(String(err)))
    }
  }

  #fail(reason: Error): void {
    if (this.#closed) return
    this.#closed = reason
    for (const p of [...this.#pending.values()]) p.reject(reason)
  }
}

/** Handles one incoming message; resolves with the answer (for a request), or `undefined` for none. */
export type FrameHandler = (payload: Uint8Array, expectsAnswer: boolean) => Promise<Uint8Array | undefined>

/**
 * The accepting side: reads frames until the stream ends and handles up to `maxInFlight` at once (a request
 * beyond that is answered with no answer at once, a one-way message beyond it is dropped: the protocol
 * copes with both, and a flooding peer holds no more than that). Resolves when the stream has ended.
 */
export async function serveChannel(stream: FrameStream, handle: FrameHandler, maxInFlight: number): Promise<void> {
  let inFlight = 0
  let writes: Promise<void> = Promise.resolve()
  const answer = (kind: number, id: number, payload: Uint8Array): void => {
    writes = writes.then(() => stream.write(encodeFrame(kind, id, payload))).catch((err: unknown) => stream.abort(err instanceof Error ? err : new Error(String(err))))
  }
  const empty = new Uint8Array(0)
  try {
    for (;;) {
      const frame = decodeFrame(await stream.read())
      if (frame === undefined || (frame.kind !== FRAME_REQUEST && frame.kind !== FRAME_ONE_WAY)) {
        stream.abort(new ChannelClosedError('not a request frame'))
        return
      }
      const expectsAnswer = frame.kind === FRAME_REQUEST
      if (inFlight >= maxInFlight) {
        if (expectsAnswer) answer(FRAME_NO_ANSWER, frame.id, empty)
        continue
      }
      inFlight++
      void handle(frame.payload, expectsAnswer)
        .catch(() => undefined)
        .then((reply) => {
          inFlight--
          if (expectsAnswer) answer(reply === undefined ? FRAME_NO_ANSWER : FRAME_ANSWER, frame.id, reply ?? empty)
        })
    }
  } catch {
    // The stream ended or broke: the opener opens another when it next has something to say.
  }
}
