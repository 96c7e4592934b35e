/**
 * A complete PushRequest body, handled whole: a handling slot, the checks of validate.ts, the replay guard
 * (replay.ts), Alloy's ensureServiceName when asked, then delivery. Shared by Connect protobuf pushes
 * (server.ts) and gRPC pushes (grpc.ts), so both keep the same limits and share one bound on pushes
 * handled at once.
 */
import type { Logger } from '../../../util/logger.js'
import { withServiceName } from './ingest.js'
import type { PushLimits } from './limits.js'
import { invalid, unavailable } from './refusal.js'
import type { Refusal } from './refusal.js'
import { ReplayGuard } from './replay.js'
import { validatePushBody } from './validate.js'
import type { AcceptedSeries } from './validate.js'

export interface PushHandlingOptions {
  readonly maxConcurrentRequests: number
  readonly maxDecompressedBytes: number
  readonly limits?: PushLimits
  readonly ensureServiceName: boolean
  readonly deliver: (series: readonly AcceptedSeries[]) => Promise<void>
  readonly logger: Logger
}

/** 'accepted': delivered; 'replayed': a byte-identical retry of a push already delivered, not delivered again. */
export type PushOutcome = 'accepted' | 'replayed' | Refusal

/**
 * Handles one body; `signal` aborts the checks when the client goes away. A failure of `deliver` is
 * thrown for the caller to answer (refusal.ts `refusalFor`).
 */
export type PushHandler = (body: Uint8Array, signal: AbortSignal) => Promise<PushOutcome>

export function createPushHandler(opts: PushHandlingOptions): PushHandler {
  const replays = new ReplayGuard()
  let active = 0
  return async (body, signal) => {
    if (active >= opts.maxConcurrentRequests) {
      return unavailable(`too many push requests in progress (limit ${opts.maxConcurrentRequests}), retry later`)
    }
    let digest: string | undefined
    active++
    try {
      const validation = await validatePushBody(body, {
        maxDecompressedBytes: opts.maxDecompressedBytes,
        signal,
        ensureServiceName: opts.ensureServiceName,
        ...(opts.limits === undefined ? {} : { limits: opts.limits })
      })
      if (!validation.ok) {
        opts.logger.debug({ reason: validation.reason }, 'push request refused')
        return invalid(validation.reason)
      }
      // Only samples with an ID say that an identical body is the same push again (replay.ts).
      if (validation.series.every((s) => s.samples.every((sample) => (sample.id ?? '') !== ''))) {
        const candidate = await ReplayGuard.digest(body)
        const replay = replays.begin(candidate)
        if (replay === 'in-progress') return unavailable('an identical request is being handled, retry later')
        // A retry of a request already stored (its answer was lost): answered again, not stored twice.
        if (replay === 'handled') return 'replayed'
        digest = candidate
      }
      await opts.deliver(opts.ensureServiceName ? withServiceName(validation.series) : validation.series)
      if (digest !== undefined) replays.finish(digest, true)
      digest = undefined
      return 'accepted'
    } finally {
      active--
      if (digest !== undefined) replays.finish(digest, false)
    }
  }
}
