/**
 * receive_http's on-disk store (`storage_path`, and `shardscope receive --dir`): one file per raw profile
 * under `profiles/<yyyy-mm-dd>/`, and one JSON line per profile in `<dir>/index.jsonl`:
 *
 *   {"time":"2025-01-02T03:04:05.678Z","labels":{...},"file":"profiles/2025-01-02/1735787045678-3f2a…-0.pb.gz","bytes":1234,"sha256":"…"}
 *
 * A request is stored whole or not at all (docs/hostile-input.md, "All or nothing"): its profiles are
 * written under `staging/<request>/` and flushed, then renamed into place, then indexed by one append of
 * all their lines. Only the index makes a profile stored; a failure before the append removes what the
 * request wrote, so a refused request leaves nothing and its retry stores no duplicate.
 *
 * Crash safety: an index line never points at a partial file (files are flushed and renamed first). Each
 * append goes through one queue, so lines never interleave. A crash can leave a trailing fragment without
 * `\n`: readers ignore it, and the store terminates it before its first append (the fragment becomes one
 * unparsable line, skipped by `readIndex`). What a crash leaves besides (staging folders, `.tmp` files,
 * profile files without an index line: requests that were never acknowledged) is removed when the store
 * is first used after a start.
 */
import { createHash } from 'node:crypto'
import { appendFile, mkdir, open, readFile, readdir, rename, rm, stat, unlink } from 'node:fs/promises'
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

export interface StoreItem {
  readonly labels: Labels
  readonly raw: Uint8Array
}

export const STAGING_DIR = 'staging'
/** Profile files written at once by one request: enough to keep the disk busy, far from any fd limit. */
const WRITE_CONCURRENCY = 8

export class ProfileStore {
  readonly #clock: Clock
  readonly #indexPath: string
  /** The append queue: each index append waits for the previous one. */
  #appends: Promise<unknown> = Promise.resolve()
  /** Set by the first append: terminating a crash's fragment happens once, before any new line. */
  #repaired: Promise<void> | undefined
  /** Set by the first write: a crash's debris is removed once, before anything new is written. */
  #cleaned: Promise<void> | undefined
  #sequence = 0

  constructor(
    readonly dir: string,
    opts: ProfileStoreOptions = {}
  ) {
    this.#clock = opts.clock ?? systemClock
    this.#indexPath = join(dir, INDEX_FILE)
  }

  /** Removes a crash's debris (see the module comment); once per store, also done by the first write. */
  prepare(): Promise<void> {
    this.#cleaned ??= removeDebris(this.dir)
    return this.#cleaned
  }

  /** Stores one raw profile (gzipped or not, as received) and appends its index line. */
  async write(labels: Labels, raw: Uint8Array): Promise<IndexEntry> {
    const [entry] = await this.writeAll([{ labels, raw }])
    return entry as IndexEntry
  }

  /** Stores every profile of one request and indexes them with one append, or stores none (then throws). */
  async writeAll(items: readonly StoreItem[]): Promise<IndexEntry[]> {
    await this.prepare()
    const nowMs = this.#clock.now()
    const time = new Date(nowMs).toISOString()
    const day = time.slice(0, 10)
    const staging = join(this.dir, STAGING_DIR, `${process.pid}-${nowMs}-${this.#sequence++}`)
    const entries = items.map((item) => this.#entryFor(item, time, day, nowMs))
    const placed: string[] = []
    try {
      await mkdir(staging, { recursive: true })
      await mkdir(join(this.dir, 'profiles', day), { recursive: true })
      await forEachLimited(items, WRITE_CONCURRENCY, (item, i) => writeFlushed(join(staging, String(i)), item.raw))
      for (const [i, entry] of entries.entries()) {
        await rename(join(staging, String(i)), join(this.dir, entry.file))
        placed.push(entry.file)
      }
      await this.#append(entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
      return entries
    } catch (error) {
      await Promise.all(placed.map((file) => unlink(join(this.dir, file)).catch(() => undefined)))
      throw error
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined)
    }
  }

  /** Waits for every queued index append (tests and shutdown). */
  async flush(): Promise<void> {
    await this.#appends
  }

  #entryFor(item: StoreItem, time: string, day: string, nowMs: number): IndexEntry {
    const sha256 = createHash('sha256').update(item.raw).digest('hex')
    const extension = item.raw[0] === 0x1f && item.raw[1] === 0x8b ? '.pb.gz' : '.pb'
    // The sequence keeps two equal profiles of one millisecond apart: each file belongs to one index line.
    const file = `profiles/${day}/${nowMs}-${sha256.slice(0, 16)}-${this.#sequence++}${extension}`
    return { time, labels: { ...item.labels }, file, bytes: item.raw.byteLength, sha256 }
  }

  #append(lines: string): Promise<void> {
    const appended = this.#appends.then(async () => {
      // A failed repair is tried again by the next append rather than failing every later one.
      this.#repaired ??= terminatePartialLine(this.#indexPath).catch((error: unknown) => {
        this.#repaired = undefined
        throw error
      })
      await this.#repaired
      await appendFile(this.#indexPath, lines)
    })
    // The queue continues after a failed append; the failure still reaches this caller through `appended`.
    this.#appends = appended.catch(() => undefined)
    return appended
  }
}

async function writeFlushed(path: string, raw: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx')
  try {
    await handle.writeFile(raw)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      await work(items[i] as T, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Removes what a crash left: staging folders, `.tmp` files, and profile files that no index line names
 * (a request that died between its renames and its append, never acknowledged).
 */
export async function removeDebris(dir: string): Promise<void> {
  await rm(join(dir, STAGING_DIR), { recursive: true, force: true })
  const days = await readdir(join(dir, 'profiles')).catch(() => [] as string[])
  if (days.length === 0) return
  const indexed = new Set((await readIndex(dir)).map((e) => e.file))
  for (const day of days) {
    const files = await readdir(join(dir, 'profiles', day)).catch(() => [] as string[])
    for (const name of files) {
      const file = `profiles/${day}/${name}`
      if (!indexed.has(file)) await unlink(join(dir, file)).catch(() => undefined)
    }
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

export function parseEntry(line: string): IndexEntry | undefined {
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
