/**
 * A real gRPC client for Pyroscope's `push.v1.PusherService/Push`: @grpc/grpc-js over cleartext HTTP/2,
 * with PushRequests encoded by protobufjs from the fixture push.proto (independently of shardscope's own
 * encoder). Answers are the gRPC status and message, as an SDK would see them.
 */
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import protobuf from 'protobufjs'

const PROTO = fileURLToPath(new URL('../../../test/fixtures/proto/push.proto', import.meta.url))
const PushRequest = protobuf.loadSync(PROTO).lookupType('push.v1.PushRequest')

export const PUSH_METHOD = '/push.v1.PusherService/Push'

export interface GrpcAnswer {
  /** 0 (OK) or the gRPC status code of the error. */
  readonly code: grpc.status
  readonly details: string
  /** The response message's bytes (an empty PushResponse on success). */
  readonly response?: Buffer
}

export interface SeriesInput {
  readonly labels: Readonly<Record<string, string>>
  readonly samples: readonly { readonly raw: Uint8Array; readonly id?: string }[]
}

export interface GrpcPushClient {
  /** Sends raw PushRequest bytes (valid or not). */
  push(message: Uint8Array, options?: { deadlineMs?: number }): Promise<GrpcAnswer>
  close(): void
}

/** A PushRequest as protobufjs encodes it. */
export function pushRequestBytes(series: readonly SeriesInput[]): Buffer {
  const message = PushRequest.fromObject({
    series: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.samples.map((sample) => ({ rawProfile: sample.raw, ID: sample.id ?? '' }))
    }))
  })
  return Buffer.from(PushRequest.encode(message).finish())
}

/** The series of a PushRequest, decoded by protobufjs (labels as a record). */
export function decodePushRequest(bytes: Uint8Array): SeriesInput[] {
  const decoded = PushRequest.toObject(PushRequest.decode(bytes), { defaults: true }) as {
    series: { labels: { name: string; value: string }[]; samples: { rawProfile: Uint8Array; ID: string }[] }[]
  }
  return decoded.series.map((s) => ({
    labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])),
    samples: s.samples.map((sample) => ({ raw: sample.rawProfile, id: sample.ID }))
  }))
}

/** `address` is `host:port`; `options` are grpc-js channel options (e.g. compression). */
export function createGrpcPushClient(address: string, options: grpc.ChannelOptions = {}): GrpcPushClient {
  const client = new grpc.Client(address, grpc.credentials.createInsecure(), options)
  const passThrough = (bytes: Buffer): Buffer => bytes
  return {
    push: (message, { deadlineMs = 10_000 } = {}) =>
      new Promise((resolve) => {
        client.makeUnaryRequest(
          PUSH_METHOD,
          passThrough,
          passThrough,
          Buffer.from(message),
          new grpc.Metadata(),
          { deadline: Date.now() + deadlineMs },
          (error, response) => {
            if (error) resolve({ code: error.code, details: error.details })
            else resolve({ code: grpc.status.OK, details: '', ...(response === undefined ? {} : { response }) })
          }
        )
      }),
    close: () => client.close()
  }
}

export { status as GrpcStatus } from '@grpc/grpc-js'
