/** Where a piece of config text is: the shapes diagnostics report and the scanner's lazy spans implement. */

export interface Position {
  /** 0-based offset into the source text (UTF-16 code units). */
  readonly offset: number
  /** 1-based line. */
  readonly line: number
  /** 1-based column. */
  readonly column: number
}

export interface Span {
  readonly file: string
  readonly start: Position
  readonly end: Position
}
