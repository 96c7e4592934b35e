/** Offsets → 1-based line/column positions (columns in UTF-16 code units, as `diagnostics.ts` defines). */
import type { Position } from './diagnostics.js'

export class LineIndex {
  readonly #starts: number[] = [0]

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.#starts.push(i + 1)
  }

  position(offset: number): Position {
    let lo = 0
    let hi = this.#starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((this.#starts[mid] ?? 0) <= offset) lo = mid
      else hi = mid - 1
    }
    return { offset, line: lo + 1, column: offset - (this.#starts[lo] ?? 0) + 1 }
  }
}
