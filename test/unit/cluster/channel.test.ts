import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ChannelClient, decodeFrame, encodeFrame, FRAME_ANSWER, FRAME_NO_ANSWER, FRAME_ONE_WAY, FRAME_REQUEST, serveChannel } from '../../../src/cluster/channel.js'
import type { FrameStream } from '../../../src/cluster/channel.js'
import { waitFor } from '../../helpers/wait-for.js'

/** One direction of an in-memory stream: frames written are read in order; ending rejects the reads. */
class Pipe {
  readonly #frames: Uint8Array[] = []
  readonly #readers: { resolve(f: Uint8Array): void; reject(e: Error): void }[] = []
  #ended: Error | undefined
  push(frame: Uint8Array): void {
    if (this.#ended) return
    const reader = this.#readers.shift()
    if (reader) reader.resolve(frame)
    else this.#frames.push(frame)
  }
  read(): Promise<Uint8Array> {
    const frame = this.#frames.shift()
    if (frame) return Promise.resolve(frame)
    if (this.#ended) return Promise.reject(this.#ended)
    return new Promise((resolve, reject) => this.#readers.push({ resolve, reject }))
  }
  end(reason: Error): void {
    this.#ended ??= reason
    for (const r of this.#readers.splice(0)) r.reject(reason)
  }
}

/** Two connected frame streams; `stalled` makes the first side's writes never complete (a peer not reading). */
function streamPair(options: { stalled?: boolean } = {}): { a: FrameStream; b: FrameStream; aborted: Error[]; toB: Pipe } {
  const toA = new Pipe()
  const toB = new Pipe()
  const aborted: Error[] = []
  const abort = (reason: Error): void => {
    aborted.push(reason)
    toA.end(reason)
    toB.end(reason)
  }
  const a: FrameStream = { read: () => toA.read(), write: async (f) => (options.stalled ? new Promise<void>(() => undefined) : toB.push(f)), abort }
  const b: FrameStream = { read: () => toB.read(), write: async (f) => toA.push(f), abort }
  return { a, b, aborted, toB }
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)
const LONG = 60_000

describe('membership channel frames', () => {
  it('round-trips kind, id and payload, and refuses what is not a frame', () => {
    const frame = decodeFrame(encodeFrame(FRAME_REQUEST, 0xfffffffe, bytes(7, 8, 9)))
    assert.deepEqual(frame && { kind: frame.kind, id: frame.id, payload: [...frame.payload] }, { kind: FRAME_REQUEST, id: 0xfffffffe, payload: [7, 8, 9] })
    assert.equal(decodeFrame(bytes(1, 0, 0)), undefined, 'shorter than a header')
    assert.equal(decodeFrame(encodeFrame(0, 1, bytes())), undefined, 'kind 0')
    assert.equal(decodeFrame(encodeFrame(9, 1, bytes())), undefined, 'unknown kind')
  })
})

describe('ChannelClient and serveChannel', () => {
  it('answers requests by id, in whatever order the handler finishes, and delivers one-way messages', async () => {
    const { a, b } = streamPair()
    const oneWay: number[] = []
    const release: (() => void)[] = []
    void serveChannel(
      b,
      async (payload, expectsAnswer) => {
        if (!expectsAnswer) {
          oneWay.push(payload[0] as number)
          return undefined
        }
        // The first request is held until the second has been answered.
        if (payload[0] === 1) await new Promise<void>((resolve) => release.push(resolve))
        return bytes(100 + (payload[0] as number))
      },
      8
    )
    const client = new ChannelClient(a, () => undefined, LONG)
    const first = client.request(bytes(1), AbortSignal.timeout(LONG))
    const second = await client.request(bytes(2), AbortSignal.timeout(LONG))
    assert.deepEqual([...(second ?? [])], [102])
    release.shift()?.()
    assert.deepEqual([...((await first) ?? [])], [101])
    await client.send(bytes(5), AbortSignal.timeout(LONG))
    await waitFor(() => oneWay.length === 1, { timeoutMs: 5_000, what: 'the one-way message' })
    assert.deepEqual(oneWay, [5])
    client.close(new Error('done'))
  })

  it('resolves a request the handler had no answer for with undefined, and one whose handler threw the same way', async () => {
    const { a, b } = streamPair()
    void serveChannel(
      b,
      async (payload) => {
        if (payload[0] === 1) throw new Error('handler bug')
        return undefined
      },
      8
    )
    const client = new ChannelClient(a, () => undefined, LONG)
    assert.equal(await client.request(bytes(1), AbortSignal.timeout(LONG)), undefined)
    assert.equal(await client.request(bytes(2), AbortSignal.timeout(LONG)), undefined)
    client.close(new Error('done'))
  })

  it('gives a request up at its deadline and drops its late answer, the channel staying usable', async () => {
    const { a, b } = streamPair()
    const release: (() => void)[] = []
    void serveChannel(
      b,
      async (payload) => {
        if (payload[0] === 1) await new Promise<void>((resolve) => release.push(resolve))
        return payload
      },
      8
    )
    const client = new ChannelClient(a, () => undefined, LONG)
    const deadline = new AbortController()
    const slow = client.request(bytes(1), deadline.signal)
    await waitFor(() => release.length === 1, { timeoutMs: 5_000, what: 'the slow request handled' })
    deadline.abort(new Error('deadline'))
    await assert.rejects(slow, /deadline/)
    release.shift()?.()
    assert.deepEqual([...((await client.request(bytes(2), AbortSignal.timeout(LONG))) ?? [])], [2])
    assert.equal(client.closed, false)
    client.close(new Error('done'))
  })

  it('handles at most maxInFlight at once: a request beyond that gets no answer at once, a one-way message is dropped', async () => {
    const { a, b } = streamPair()
    const release: (() => void)[] = []
    let handled = 0
    void serveChannel(
      b,
      async () => {
        handled++
        await new Promise<void>((resolve) => release.push(resolve))
        return bytes(1)
      },
      2
    )
    const client = new ChannelClient(a, () => undefined, LONG)
    const held = [client.request(bytes(0), AbortSignal.timeout(LONG)), client.request(bytes(0), AbortSignal.timeout(LONG))]
    await client.send(bytes(0), AbortSignal.timeout(LONG))
    assert.equal(await client.request(bytes(0), AbortSignal.timeout(LONG)), undefined, 'refused without waiting')
    assert.equal(handled, 2)
    for (const r of release.splice(0)) r()
    assert.deepEqual((await Promise.all(held)).map((x) => [...(x ?? [])]), [[1], [1]])
    client.close(new Error('done'))
  })

  it('ends the channel when a write cannot complete before its deadline, failing what waits on it', async () => {
    const { a, aborted } = streamPair({ stalled: true })
    let closed = false
    const client = new ChannelClient(a, () => (closed = true), LONG)
    const deadline = new AbortController()
    const request = client.request(bytes(1), deadline.signal)
    deadline.abort(new Error('deadline'))
    await assert.rejects(request, /deadline/)
    assert.equal(client.closed, true)
    assert.equal(aborted.length, 1)
    await waitFor(() => closed, { timeoutMs: 5_000, what: 'onClosed' })
    await assert.rejects(client.send(bytes(2), AbortSignal.timeout(LONG)), /could not be written in time/)
  })

  it('fails every waiting request when the stream ends, and after it, at once', async () => {
    const { a, b } = streamPair()
    void serveChannel(b, () => new Promise<Uint8Array | undefined>(() => undefined), 8)
    const client = new ChannelClient(a, () => undefined, LONG)
    const waiting = [client.request(bytes(1), AbortSignal.timeout(LONG)), client.request(bytes(2), AbortSignal.timeout(LONG))]
    b.abort(new Error('connection closed'))
    for (const w of waiting) await assert.rejects(w, /connection closed/)
    await assert.rejects(client.request(bytes(3), AbortSignal.timeout(LONG)), /connection closed/)
  })

  it('closes itself after idleMs with nothing to send or wait for, never while a request waits', async () => {
    const { a, b } = streamPair()
    const release: (() => void)[] = []
    void serveChannel(
      b,
      async () => {
        await new Promise<void>((resolve) => release.push(resolve))
        return bytes(1)
      },
      8
    )
    let closed = false
    const client = new ChannelClient(a, () => (closed = true), 30)
    const waiting = client.request(bytes(1), AbortSignal.timeout(LONG))
    await waitFor(() => release.length === 1, { timeoutMs: 5_000, what: 'the request handled' })
    // Several idle periods pass while the answer is awaited.
    await new Promise((resolve) => setTimeout(resolve, 120))
    assert.equal(client.closed, false)
    release.shift()?.()
    assert.deepEqual([...((await waiting) ?? [])], [1])
    await waitFor(() => closed, { timeoutMs: 5_000, what: 'the idle channel closed' })
  })

  it('ends the stream on a frame of the wrong kind, on either side', async () => {
    const server = streamPair()
    const served = serveChannel(server.b, async () => bytes(1), 8)
    server.toB.push(encodeFrame(FRAME_ANSWER, 1, bytes()))
    await served
    assert.equal(server.aborted.length, 1, 'the server ended it')

    const client = streamPair()
    const channel = new ChannelClient(client.a, () => undefined, LONG)
    const waiting = channel.request(bytes(1), AbortSignal.timeout(LONG))
    await client.b.write(encodeFrame(FRAME_ONE_WAY, 1, bytes()))
    await assert.rejects(waiting, /not an answer frame/)
    assert.equal(channel.closed, true)
    assert.equal(decodeFrame(encodeFrame(FRAME_NO_ANSWER, 3, bytes()))?.kind, FRAME_NO_ANSWER)
  })
})
