/**
 * pyroscope.write's engine: label preparation, the PushRequest codec, request preparation, retry policy and
 * the retrying push, per-endpoint queues and the fan-out writer. Argument decoding and component
 * registration live beside it (arguments.ts, definition.ts) and build these classes.
 */
export { ProfileWriter, ProfileRefusedError } from './writer.js'
export type { ProfileWriterOptions } from './writer.js'
export { Endpoint, DEFAULT_CONCURRENCY, DEFAULT_DRAIN_GRACE_MS } from './endpoint.js'
export type { EndpointDeps, EndpointOptions, EndpointStats } from './endpoint.js'
export { prepareSeries, PUSH_PATH, pushUrl } from './prepared-push.js'
export type { PreparedSeries } from './prepared-push.js'
export { createWriteMetrics, DROP_REASONS } from './metrics.js'
export type { DropReason, WriteMetrics } from './metrics.js'
export { prepareLabels, validateLabelList, isValidLabelName, INVALID_LABELS_PREFIX } from './labels.js'
export type { LabelList, PrepareLabelsResult } from './labels.js'
export { encodePushRequest, decodePushRequest } from './push-request.js'
export type { DecodedSample, DecodedSeries, DecodeResult, LabelPair, PushSample, PushSeries } from './push-request.js'
export { classifyError, classifyResponse, nextBackoff, retryDelay, parseRetryAfter, MAX_RETRY_AFTER_MS } from './retry.js'
export type { PushResult } from './retry.js'
export { pyroscopeWrite } from './definition.js'
