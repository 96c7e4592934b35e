/**
 * `shardscope fmt`, as `alloy fmt`: prints a config in canonical form, `--write` rewrites the file, `--test`
 * exits 1 when it is not already formatted. The layout is rebuilt from the scanner's tokens, so comments
 * (which the syntax tree does not keep) stay where they were (docs/operations.md):
 * - one tab per nesting level of `{`, `[`, `(`; a line that starts with a closer sits at its opener's level;
 * - at most one blank line in a row, none at the start or end of a block or of the file;
 * - one space around an attribute's `=`, after `,` and before a block's `{`, none before `,`; elsewhere one
 *   space where the source had whitespace and none where it had none;
 * - the `=` of consecutive attribute lines at one level aligned;
 * - multi-line raw strings and block comments kept byte for byte.
 * A config that does not parse is refused with its errors, never rewritten.
 */
import { writeFile } from 'node:fs/promises'
import { parse, tokenize } from '../syntax/index.js'
import type { Token } from '../syntax/index.js'
import { DiagnosticError } from '../syntax/index.js'
import type { CommandIO } from './check.js'
import { ConfigError, readConfigText } from './load.js'

interface Piece {
  readonly text: string
  readonly kind: Token['kind'] | 'COMMENT'
  /** Newlines in the source between the previous piece and this one. */
  readonly newlinesBefore: number
  /** Whether the source had whitespace right before this piece. */
  readonly spaceBefore: boolean
}

interface Line {
  readonly depth: number
  text: string
  /** Length of the attribute name when the line is `name = …`, for alignment. */
  readonly key: number | undefined
  readonly blankBefore: boolean
}

const OPENERS = new Set(['{', '[', '('])
const CLOSERS = new Set(['}', ']', ')'])

export function formatSource(text: string, fileName: string): string {
  try {
    parse(text, fileName)
  } catch (err) {
    if (err instanceof DiagnosticError) throw new ConfigError(err.message, err.diagnostics, new Map([[fileName, text]]))
    throw err
  }
  return render(toLines(pieces(text, fileName)))
}

/** Tokens and the comments between them, with the whitespace that separated them. */
function pieces(text: string, fileName: string): Piece[] {
  const out: Piece[] = []
  let cursor = 0
  const gap = (end: number): void => {
    let newlines = 0
    let space = false
    let i = cursor
    while (i < end) {
      const c = text[i]
      if (text.startsWith('//', i) || text.startsWith('/*', i)) {
        const line = text.startsWith('//', i)
        const close = line ? text.indexOf('\n', i) : text.indexOf('*/', i + 2)
        const stop = close < 0 ? end : Math.min(end, line ? close : close + 2)
        out.push({ text: text.slice(i, stop).trimEnd(), kind: 'COMMENT', newlinesBefore: newlines, spaceBefore: space })
        newlines = 0
        space = false
        i = stop
        continue
      }
      if (c === '\n') newlines++
      else if (c === ' ' || c === '\t' || c === '\r') space = true
      i++
    }
    pending = { newlines, space }
  }
  let pending = { newlines: 0, space: false }
  for (const token of tokenize(text, fileName).tokens) {
    if (token.kind === 'TERMINATOR' || token.kind === 'EOF') continue
    gap(token.span.start.offset)
    out.push({ text: token.text, kind: token.kind, newlinesBefore: pending.newlines, spaceBefore: pending.space })
    cursor = token.span.end.offset
  }
  gap(text.length)
  return out
}

function toLines(all: readonly Piece[]): Line[] {
  const lines: Line[] = []
  let depth = 0
  let current: Line | undefined
  let previous: Piece | undefined
  all.forEach((piece, i) => {
    if (current === undefined || piece.newlinesBefore > 0) {
      const last = lines.at(-1)
      const blankBefore = piece.newlinesBefore > 1 && last !== undefined && !/[{[(]$/.test(last.text) && !CLOSERS.has(piece.text)
      const next = all[i + 1]
      const key = (piece.kind === 'IDENT' || piece.kind === 'STRING') && next?.kind === '=' && next.newlinesBefore === 0 ? piece.text.length : undefined
      current = { depth: CLOSERS.has(piece.text) ? depth - 1 : depth, text: piece.text, key, blankBefore }
      lines.push(current)
    } else {
      current.text += spacing(previous, piece) + piece.text
    }
    if (OPENERS.has(piece.text) && piece.kind !== 'STRING') depth++
    if (CLOSERS.has(piece.text) && piece.kind !== 'STRING') depth = Math.max(0, depth - 1)
    previous = piece
  })
  return lines
}

function spacing(prev: Piece | undefined, next: Piece): string {
  if (next.kind === ',') return ''
  if (prev?.kind === ',' || next.kind === '=' || prev?.kind === '=' || next.kind === 'COMMENT') return ' '
  // A block's `{` after its name or label.
  if (next.kind === '{' && (prev?.kind === 'IDENT' || prev?.kind === 'STRING')) return ' '
  return next.spaceBefore ? ' ' : ''
}

/** Indents, aligns the `=` of consecutive attribute lines at one level, and joins. */
function render(lines: readonly Line[]): string {
  const out: string[] = []
  for (let i = 0; i < lines.length; ) {
    let j = i
    const line = lines[i] as Line
    if (line.key !== undefined) {
      while (j + 1 < lines.length && lines[j + 1]?.key !== undefined && lines[j + 1]?.depth === line.depth && !lines[j + 1]?.blankBefore) j++
    }
    const width = Math.max(...lines.slice(i, j + 1).map((l) => l.key ?? 0))
    for (const l of lines.slice(i, j + 1)) {
      const text = l.key !== undefined && j > i ? `${l.text.slice(0, l.key)}${' '.repeat(width - l.key)}${l.text.slice(l.key)}` : l.text
      if (l.blankBefore) out.push('')
      out.push(`${'\t'.repeat(Math.max(0, l.depth))}${text}`)
    }
    i = j + 1
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`
}

export interface FmtOptions {
  readonly write: boolean
  readonly test: boolean
}

export async function runFmt(path: string, opts: FmtOptions, io: CommandIO): Promise<number> {
  const text = await readConfigText(path)
  const formatted = formatSource(text, path)
  if (opts.test) {
    if (formatted === text) return 0
    io.stderr(`${path}: not formatted (run shardscope fmt --write ${path})`)
    return 1
  }
  if (opts.write) {
    if (formatted !== text) await writeFile(path, formatted)
    return 0
  }
  if (formatted !== '') io.stdout(formatted.slice(0, -1))
  return 0
}
