/**
 * pprof bodies: reading them with a limit, checking that they are profiles, and client-side deltas of
 * cumulative profiles.
 */
export { BodyTooLargeError, readBodyLimited } from './body.js'
export type { BodyStream } from './body.js'
export { checkProfile, checkProfileAsync, decodeProfile, inflateCap } from './check.js'
export { MAX_COLLAPSED_STACKS, collapsedToPprof, collapsedToPprofAsync } from './collapsed.js'
export type { CollapsedResult, CollapsedShape } from './collapsed.js'
export { gunzipLimited, inflateMetered } from './inflate.js'
export { gunzipOffLoop } from './inflate-off-loop.js'
export { CheckPool, configureCheckPool, sharedCheckPool, DEFAULT_CHECK_POOL_SETTINGS } from './check-pool.js'
export type { CheckPoolSettings } from './check-pool.js'
export { DEFAULT_PROFILE_BUDGET, ProfileMeter, allowedDecodedBytes, measureProfile } from './budget.js'
export type { BudgetResult, ProfileBudget, ProfileCounts } from './budget.js'
export type { CheckProfileOptions, CheckProfileResult, ProfileSummary } from './check.js'
export { isGzip, precheckProfile } from './precheck.js'
export type { ProfileProblem } from './precheck.js'
export { DEFAULT_MAX_DELTA_STATE_BYTES, DELTA_VALUE_TYPES, DeltaComputer, computeDelta, deltaValueTypesFor } from './delta.js'
export type { DeltaComputerOptions, DeltaErrorCode, DeltaInput, DeltaOutcome, DeltaResult, DeltaValueType } from './delta.js'
export type { PackedBaseline } from './delta-state.js'
export { CpuProfileInProgressError, captureCpuProfile, captureGoroutineProfile, captureHeapProfile, startHeapSampling } from './self-profile.js'
export { flameTree } from './flame-tree.js'
export type { FlameNode, FlameTree } from './flame-tree.js'
