/**
 * pyroscope.receive_http's engine: the push API server, its request checks, and the on-disk store.
 * Argument decoding and component registration live beside it (arguments.ts, definition.ts).
 */
export { startReceiveServer, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_DECOMPRESSED_BYTES } from './server.js'
export type { ReceiveServer, ReceiveServerOptions } from './server.js'
export { ProfileStore, readIndex, INDEX_FILE } from './store.js'
export type { IndexEntry, ProfileStoreOptions } from './store.js'
export { validatePushBody } from './validate.js'
export type { AcceptedSeries, PushValidation, PushValidationOptions } from './validate.js'
export { ReceiveHttpComponent } from './component.js'
export { queryStore, readStoredProfile } from './store-query.js'
export { pyroscopeReceiveHttp } from './definition.js'
