/** Offsets → 1-based line/column positions (columns in UTF-16 code units, as `span.ts` defines). */
import type { Position, Span } from './span.js'

export class LineIndex {
  readonly #starts: number[] = [0]

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#starts.push(i + 1)
  }

  /** The line of the last position asked for: the scanner asks in order, so the next is usually on it. */
  #hint = 0

  position(offset: number): Position {
    const hint = this.#hint
    const start = this.#starts[hint] ?? 0
    if (offset >= start && offset < (this.#starts[hint + 1] ?? Infinity)) return { offset, line: hint + 1, column: offset - start + 1 }
    const next = this.#starts[hint + 1]
    if (next !== undefined && offset >= next && offset < (this.#starts[hint + 2] ?? Infinity)) {
      this.#hint = hint + 1
      return { offset, line: hint + 2, column: offset - next + 1 }
    }
    let lo = 0
    let hi = this.#starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.#starts[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    this.#hint = lo
    return { offset, line: lo + 1, column: offset - (this.#starts[lo] ?? 0) + 1 }
  }
}

/**
 * A span of scanned text that computes its positions when they are read. Every token has a span and
 * few are ever printed: a 10,000-target config has 100,000 tokens, and two position objects each were a
 * third of the parser's memory and most of its garbage collection (bench/config.bench.ts).
 */
export class TextSpan implements Span {
  readonly #lines: LineIndex

  constructor(
    readonly file: string,
    lines: LineIndex,
    readonly startOffset: number,
    readonly endOffset: number
  ) {
    this.#lines = lines
  }

  get start(): Position {
    return this.#lines.position(this.startOffset)
  }

  get end(): Position {
    return this.#lines.position(this.endOffset)
  }

  /** From the start of this span to the end of `other`, when both are of the same text. */
  to(other: Span): Span | undefined {
    return other instanceof TextSpan && other.#lines === this.#lines ? new TextSpan(this.file, this.#lines, this.startOffset, other.endOffset) : undefined
  }
}
