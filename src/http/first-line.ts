/**
 * The first line of an error response's body, for an error message: at most `maxBytes` are read, then the
 * body is destroyed unread (a server may send megabytes of HTML, or trickle forever).
 */

export type ErrorBody = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => unknown }

export interface FirstLineOptions {
  /** Reading stops after this many bytes; a longer line is cut there. */
  readonly maxBytes: number
  /** Checked between chunks: a request that is being stopped does not wait for the rest of its error body. */
  readonly signal?: AbortSignal
}

export interface FirstLine {
  /** The first line with content, trimmed; '' when the body has none. */
  readonly line: string
  /** Why reading stopped early, when it failed (the line then holds what came before); undefined otherwise. */
  readonly readError: unknown
}

/**
 * Reads until the first line with content is complete, `maxBytes` are read, or the body ends or fails.
 * Never throws: a failed read is returned, and the caller decides whether the status alone is enough.
 */
export async function readFirstLine(body: ErrorBody, options: FirstLineOptions): Promise<FirstLine> {
  const chunks: Buffer[] = []
  let total = 0
  let readError: unknown
  try {
    for await (const chunk of body) {
      options.signal?.throwIfAborted()
      chunks.push(Buffer.from(chunk))
      total += chunk.byteLength
      if (total >= options.maxBytes || hasCompleteLine(chunks)) break
    }
  } catch (error) {
    readError = error
  } finally {
    body.destroy?.()
  }
  return { line: firstLine(Buffer.concat(chunks).subarray(0, options.maxBytes).toString('utf8')), readError }
}

/** The first line of `text` that is not blank, trimmed. */
export function firstLine(text: string): string {
  return (text.trim().split(/\r?\n/, 1)[0] ?? '').trim()
}

/** true once a line break follows some content: the first line cannot change by reading on. */
function hasCompleteLine(chunks: readonly Buffer[]): boolean {
  const last = chunks[chunks.length - 1]
  if (last === undefined || !last.includes(0x0a)) return false
  return /\S[^\n]*\n/.test(Buffer.concat(chunks).toString('utf8'))
}
