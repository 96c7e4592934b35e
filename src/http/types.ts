/**
 * The shared HTTP client options of Alloy/Prometheus (`basic_auth`, `authorization`, `oauth2`,
 * `bearer_token(_file)`, `tls_config`, proxy settings, `enable_http2`, `follow_redirects`) as decoded,
 * validated plain data. Field names are the Alloy attribute names, so that config, docs and code match.
 * Secrets are `Secret` values and are revealed only when a request is built.
 */
import type { Dispatcher } from 'undici'
import type { Secret } from '../syntax/index.js'

export interface BasicAuthConfig {
  readonly username: string
  readonly password?: Secret | undefined
  readonly password_file?: string | undefined
}

export interface AuthorizationConfig {
  /** Defaults to "Bearer", as in Prometheus. */
  readonly type: string
  readonly credentials?: Secret | undefined
  readonly credentials_file?: string | undefined
}

export type TlsVersion = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13'

export interface TlsConfig {
  readonly ca_pem?: string | undefined
  readonly ca_file?: string | undefined
  readonly cert_pem?: string | undefined
  readonly cert_file?: string | undefined
  readonly key_pem?: Secret | undefined
  readonly key_file?: string | undefined
  readonly server_name?: string | undefined
  readonly insecure_skip_verify: boolean
  readonly min_version?: TlsVersion | undefined
}

export interface ProxyConfig {
  readonly proxy_url?: string | undefined
  readonly no_proxy?: string | undefined
  readonly proxy_from_environment: boolean
  readonly proxy_connect_header?: Readonly<Record<string, readonly Secret[]>> | undefined
}

export interface OAuth2Config extends ProxyConfig {
  readonly client_id?: string | undefined
  readonly client_secret?: Secret | undefined
  readonly client_secret_file?: string | undefined
  readonly endpoint_params?: Readonly<Record<string, string>> | undefined
  readonly scopes?: readonly string[] | undefined
  readonly token_url?: string | undefined
  readonly tls_config?: TlsConfig | undefined
}

export interface HttpClientOptions extends ProxyConfig {
  readonly bearer_token?: Secret | undefined
  readonly bearer_token_file?: string | undefined
  readonly basic_auth?: BasicAuthConfig | undefined
  readonly authorization?: AuthorizationConfig | undefined
  readonly oauth2?: OAuth2Config | undefined
  readonly tls_config?: TlsConfig | undefined
  readonly enable_http2: boolean
  readonly follow_redirects: boolean
  /** Alloy's `http_headers`: sent on every request (several values of one header are joined with ", "). */
  readonly http_headers?: Readonly<Record<string, readonly Secret[]>> | undefined
}

export const DEFAULT_HTTP_CLIENT_OPTIONS: HttpClientOptions = Object.freeze({
  proxy_from_environment: false,
  enable_http2: true,
  follow_redirects: true
})

export interface HttpRequest {
  readonly method: 'GET' | 'POST'
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly body?: Uint8Array | undefined
  /** Aborts the request (and the body stream) when fired; callers combine their deadline into it. */
  readonly signal: AbortSignal
}

/** The response as undici gives it: status, headers and a streaming body that the caller must consume or destroy. */
export type HttpResponse = Dispatcher.ResponseData

/**
 * One client built from HttpClientOptions. Authentication headers (bearer token files re-read on every
 * request, oauth2 tokens cached until expiry), TLS, proxying, HTTP/2 and redirects are applied inside;
 * the caller only sees URLs and responses.
 */
export interface HttpClient {
  request(url: string, req: HttpRequest): Promise<HttpResponse>
  close(): Promise<void>
}
