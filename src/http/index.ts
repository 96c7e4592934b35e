/** The HTTP client of every component: one factory from Alloy's client options, error reasons, URL redaction. */
export { createHttpClient, DEFAULT_MAX_REDIRECTS } from './client.js'
export type { HttpClientDeps } from './client.js'
export { describeRequestError, HttpClientError } from './errors.js'
export type { HttpErrorCode, RequestErrorDescription } from './errors.js'
export { AUTH_SCHEME_CREDENTIAL, addressWithoutUserinfo, isSecretParamName, redactAddress, redactUrl, scrubCredentials } from './redact.js'
export { DEFAULT_HTTP_CLIENT_OPTIONS } from './types.js'
export type {
  AuthorizationConfig,
  BasicAuthConfig,
  HttpClient,
  HttpClientOptions,
  HttpRequest,
  HttpResponse,
  OAuth2Config,
  ProxyConfig,
  TlsConfig,
  TlsVersion
} from './types.js'
export { defaultUserAgent, packageVersion } from './user-agent.js'
export { readFirstLine } from './first-line.js'
export type { ErrorBody } from './first-line.js'
