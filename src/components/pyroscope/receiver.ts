/**
 * The `ProfilesReceiver` capsule that pyroscope.write and pyroscope.receive_http export and that
 * pyroscope.scrape (and receive_http) forward to.
 */
import type { Labels } from '../../util/labels.js'

export interface RawSample {
  /** The pprof bytes, gzipped or not, exactly as they should reach Pyroscope. */
  readonly raw: Uint8Array
  /** Optional request id (Pyroscope's RawSample.ID). */
  readonly id?: string | undefined
}

export interface ProfilesReceiver {
  /**
   * Accepts one profile series. Resolves once the receiver has taken responsibility for it (queued or
   * stored), not when it reached a remote server; rejects with a clear reason when the profile is refused
   * (invalid labels, queue full). Must never block for long: callers measure it as fan-out latency.
   */
  append(labels: Labels, samples: readonly RawSample[]): Promise<void>
}

export const PROFILES_RECEIVER_TYPE = 'ProfilesReceiver'
