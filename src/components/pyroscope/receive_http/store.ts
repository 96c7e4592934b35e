/**
 * receive_http's on-disk store (`storage_path`, and `shardscope receive --dir`): one file per raw profile
 * under `profiles/<yyyy-mm-dd>/`, and one JSON line per profile in `<dir>/index.jsonl`:
 *
 *   {"time":"2025-01-02T03:04:05.678Z","labels":{...},"file":"profiles/2025-01-02/1735787045678-3f2a….pb.gz","bytes":1234,"sha256":"…"}
 *
 * Crash safety: a profile file is written under a temporary name, flushed and renamed before its index line
 * exists, so an index line never points at a partial file. Each index line is written by one append of the
 * whole line with its `\n`, and appends go through one queue, so lines never interleave. A crash can leave a
 * trailing fragment without `\n`: readers ignore it, and the store terminates it before its first append so
 * that the next line starts clean (the fragment becomes one unparsable line, skipped by `readIndex`).
 */
import { createHash } from 'node:crypto'
import { appendFile, mkdir, open, readFile, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock } from '../../../util/clock.js'
import { systemClock } from '../../../util/clock.js'
import type { Labels } from '../../../util/labels.js'

export const INDEX_FILE = 'index.jsonl'

export interface IndexEntry {
  /** RFC 3339, UTC, when the profile was stored. */
  readonly time: string
  readonly labels: Readonly<Record<string, string>>
  /** Path of the profile file relative to the store's folder, with `/` separators. */
  readonly file: string
  readonly bytes: number
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string
}

export interface ProfileStoreOptions {
  readonly clock?: Clock
}

export class ProfileStore {
  private readonly clock: Clock
  private readonly indexPath: string
  /** The append queue: each index line waits for the previous one. */
  private appends: Promise<unknown> = Promise.resolve()
  /** Set by the first append: terminating a crash's fragment happens once, before any new line. */
  private repaired: Promise<void> | undefined
  private tempCounter = 0

  constructor(
    readonly dir: string,
    opts: ProfileStoreOptions = {}
  ) {
    this.clock = opts.clock ?? systemClock
    this.indexPath = join(dir, INDEX_FILE)
  }

  /** Stores one raw profile (gzipped or not, as received) and appends its index line. */
  async write(labels: Labels, raw: Uint8Array): Promise<IndexEntry> {
    const nowMs = this.clock.now()
    const time = new Date(nowMs).toISOString()
    const sha256 = createHash('sha256').update(raw).digest('hex')
    const extension = raw[0] === 0x1f && raw[1] === 0x8b ? '.pb.gz' : '.pb'
    const day = time.slice(0, 10)
    const file = `profiles/${day}/${nowMs}-${sha256.slice(0, 16)}${extension}`
    await mkdir(join(this.dir, 'profiles', day), { recursive: true })
    await this.writeFileAtomically(file, raw)

    const entry: IndexEntry = { time, labels: { ...labels }, file, bytes: raw.byteLength, sha256 }
    const line = `${JSON.stringify(entry)}\n`
    const appended = this.appends.then(async () => {
      this.repaired ??= terminatePartialLine(this.indexPath)
      await this.repaired
      await appendFile(this.indexPath, line)
    })
    // The queue continues after a failed append; the failure still reaches this caller through `appended`.
    this.appends = appended.catch(() => undefined)
    await appended
    return entry
  }

  /** Waits for every queued index append (tests and shutdown). */
  async flush(): Promise<void> {
    await this.appends
  }

  private async writeFileAtomically(file: string, raw: Uint8Array): Promise<void> {
    const finalPath = join(this.dir, file)
    const tempPath = `${finalPath}.${process.pid}.${this.tempCounter++}.tmp`
    const handle = await open(tempPath, 'wx')
    try {
      await handle.writeFile(raw)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tempPath, finalPath)
  }
}

/** Every complete, parsable line of `<dir>/index.jsonl`; a trailing line without `\n` is ignored. */
export async function readIndex(dir: string): Promise<IndexEntry[]> {
  let text: string
  try {
    text = await readFile(join(dir, INDEX_FILE), 'utf8')
  } catch (error) {
    if (isNotFound(error)) return []
    throw error
  }
  const lines = text.split('\n')
  lines.pop() // the text after the last '\n': empty, or a line whose write did not finish
  const entries: IndexEntry[] = []
  for (const line of lines) {
    const entry = parseEntry(line)
    if (entry !== undefined) entries.push(entry)
  }
  return entries
}

function parseEntry(line: string): IndexEntry | undefined {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    // A fragment left by a crash and terminated by the next start (see the module comment).
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const e = value as Record<string, unknown>
  const wellFormed =
    typeof e['time'] === 'string' &&
    typeof e['file'] === 'string' &&
    typeof e['bytes'] === 'number' &&
    typeof e['sha256'] === 'string' &&
    typeof e['labels'] === 'object' &&
    e['labels'] !== null
  return wellFormed ? (value as IndexEntry) : undefined
}

/** Ends a crash's trailing fragment with `\n` so the next append starts a line of its own. */
async function terminatePartialLine(indexPath: string): Promise<void> {
  let size: number
  try {
    size = (await stat(indexPath)).size
  } catch (error) {
    if (isNotFound(error)) return
    throw error
  }
  if (size === 0) return
  const handle = await open(indexPath, 'r')
  try {
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    if (last[0] === 0x0a) return
  } finally {
    await handle.close()
  }
  await appendFile(indexPath, '\n')
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT'
}
