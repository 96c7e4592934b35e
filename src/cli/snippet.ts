/**
 * A diagnostic as `shardscope check` prints it: the `FILE:LINE:COL: message` line, then the source line
 * and a caret under the span, as compilers do:
 *
 *   config.alloy:4:3: unrecognized attribute name "scrape_intervall"; did you mean "scrape_interval"?
 *     4 |   scrape_intervall = "10s"
 *       |   ^^^^^^^^^^^^^^^^
 *
 * Tabs are shown as four spaces (the caret follows), control characters as `?` (a hostile config must not
 * drive the terminal), and a long line is cut to a window around the column. What looks like a secret is
 * masked with `*` of the same length (so the caret stays in place): the string given to an attribute or
 * key whose name looks like a credential, a URL's password, and the credential after an HTTP auth scheme
 * (`Bearer`, `Basic`, …: the pattern `scrubCredentials` uses); the output of `run` ends up in logs.
 */
import { formatDiagnostic } from '../syntax/index.js'
import type { Diagnostic } from '../syntax/index.js'
import type { ConfigError } from './load.js'
import { AUTH_SCHEME_CREDENTIAL, isSecretParamName } from '../http/index.js'

const TAB = '    '
/** Characters shown either side of the column when a line is longer than WINDOW * 2. */
const WINDOW = 60

/** A config error as every command prints it: each diagnostic with its source line, or the message alone. */
export function renderConfigError(err: ConfigError): string[] {
  if (err.diagnostics.length === 0) return [err.message]
  return err.diagnostics.flatMap((d) => renderDiagnostic(d, err.sources.get(d.span.file)))
}

export function renderDiagnostic(d: Diagnostic, sourceText: string | undefined): string[] {
  const head = formatDiagnostic(d)
  const raw = sourceText === undefined ? undefined : sourceLine(sourceText, d.span.start.line)
  const line = raw === undefined ? undefined : maskSecrets(raw)
  if (line === undefined) return [head]
  const start = Math.min(d.span.start.column - 1, line.length)
  const end = d.span.end.line === d.span.start.line ? Math.min(d.span.end.column - 1, line.length) : line.length
  const from = line.length > WINDOW * 2 ? Math.max(0, start - WINDOW) : 0
  const to = Math.min(line.length, from + WINDOW * 2)
  const shown = (from > 0 ? '…' : '') + displayText(line.slice(from, to)) + (to < line.length ? '…' : '')
  const pad = (from > 0 ? ' ' : '') + displayText(line.slice(from, start)).replace(/[^\s]/g, ' ')
  const width = Math.max(1, displayText(line.slice(start, Math.min(end, to))).length)
  const number = String(d.span.start.line)
  return [head, `  ${number} | ${shown}`, `  ${' '.repeat(number.length)} | ${pad}${'^'.repeat(width)}`]
}

/** The 1-based line `n` of `text` without its line ending, or undefined past the end. */
function sourceLine(text: string, n: number): string | undefined {
  let at = 0
  for (let i = 1; i < n; i++) {
    const next = text.indexOf('\n', at)
    if (next < 0) return undefined
    at = next + 1
  }
  const end = text.indexOf('\n', at)
  return text.slice(at, end < 0 ? text.length : end).replace(/\r$/, '')
}

function displayText(text: string): string {
  return text.replace(/\t/g, TAB).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?')
}

const mask = (text: string): string => '*'.repeat(text.length)

/** `line` with what looks like a secret replaced by `*` of the same length; see the module comment. */
export function maskSecrets(line: string): string {
  return (
    line
      // name = "value" and "name" = "value" (object keys), name looking like a credential.
      .replace(/("?)([A-Za-z_][\w.-]*)\1(\s*[=:]\s*)"((?:[^"\\]|\\.)*)"/g, (all, quote: string, name: string, sep: string, value: string) =>
        isSecretParamName(name) ? `${quote}${name}${quote}${sep}"${mask(value)}"` : all
      )
      .replace(/(:\/\/[^\s:/@"]*:)([^\s/@"]+)(@)/g, (_all, before: string, password: string, at: string) => `${before}${mask(password)}${at}`)
      .replace(AUTH_SCHEME_CREDENTIAL, (_all, scheme: string, space: string, token: string) => `${scheme}${space}${mask(token)}`)
  )
}
