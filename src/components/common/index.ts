/** What every component shares: Alloy's HTTP client attributes and blocks, URL checks, inert arguments. */
export { moveUrlCredentials } from './url-credentials.js'
export { HTTP_CLIENT_ATTRIBUTES, HTTP_CLIENT_BLOCKS, spanOf, toHttpClientOptions, validateHttpClient, validateUrl } from './http-client-config.js'
export { inertAttribute, inertBlock } from './inert.js'
