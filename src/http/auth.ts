/**
 * The `Authorization` header of each request, from `bearer_token(_file)`, `basic_auth` or `authorization`
 * (oauth2 lives in oauth2.ts). As in Prometheus, `*_file` attributes are read again on every request, so
 * a rotated token or password is used without a reload, and file contents are trimmed of whitespace.
 */
import { readFile } from 'node:fs/promises'
import { HttpClientError } from './errors.js'
import type { HttpClientOptions } from './types.js'

/**
 * Gives the header value for the next request, or undefined when no authentication is configured.
 * The signal is the request's: waiting for credentials (an oauth2 token) stops when the request is aborted.
 */
export type Authorizer = (signal: AbortSignal) => Promise<string | undefined>

const none: Authorizer = async () => undefined

export function createStaticAuthorizer(options: HttpClientOptions): Authorizer {
  if (options.bearer_token !== undefined) {
    const token = options.bearer_token
    return async () => `Bearer ${token.reveal()}`
  }
  if (options.bearer_token_file) {
    const path = options.bearer_token_file
    return async () => `Bearer ${await readSecretFile(path, 'bearer_token_file')}`
  }
  if (options.basic_auth !== undefined) {
    const { username, password, password_file: passwordFile } = options.basic_auth
    return async () => {
      const secret = passwordFile ? await readSecretFile(passwordFile, 'basic_auth password_file') : (password?.reveal() ?? '')
      return basicAuthorization(username, secret)
    }
  }
  if (options.authorization !== undefined) {
    const { credentials, credentials_file: credentialsFile } = options.authorization
    const type = options.authorization.type || 'Bearer'
    return async () => {
      const secret = credentialsFile ? await readSecretFile(credentialsFile, 'authorization credentials_file') : (credentials?.reveal() ?? '')
      return `${type} ${secret}`
    }
  }
  return none
}

/** Go's `Request.SetBasicAuth`: base64 of `username:password`, no escaping. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`
}

/** Reads a credential file; the error names the file and the errno, never any content. */
export async function readSecretFile(path: string, attribute: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim()
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new HttpClientError('HTTP_AUTH_FILE', `unable to read ${attribute} ${path}: ${why}`, { cause: err })
  }
}
