/**
 * Reading a receiver's store for the UI: the newest profiles of `index.jsonl`, filtered by labels and time,
 * and one profile's bytes. Bounded: a listing reads the last INDEX_TAIL_BYTES of the index (the newest
 * profiles; it says when older ones exist), and only a file that an index line names is served, after a
 * check of its path, up to MAX_SERVED_PROFILE_BYTES.
 */
import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { INDEX_FILE, parseEntry } from './store.js'
import type { IndexEntry } from './store.js'

/** 16 MiB of index: about 60,000 profiles with a handful of labels each. */
export const INDEX_TAIL_BYTES = 16 * 1024 * 1024
/** Larger files are not served: no profile the receiver accepts comes near it. */
export const MAX_SERVED_PROFILE_BYTES = 256 * 1024 * 1024
/** What the store writes: `profiles/<yyyy-mm-dd>/<name>`, the name without a leading dot. */
const STORED_FILE = /^profiles\/\d{4}-\d{2}-\d{2}\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/

export interface StoreQuery {
  readonly labels: readonly (readonly [string, string])[]
  readonly fromMs?: number
  readonly toMs?: number
  readonly offset: number
  readonly limit: number
}

export interface StorePage {
  total: number
  profiles: IndexEntry[]
  truncated: boolean
}

/** `tailBytes`: how much of the index to read (tests set a small one). */
export async function queryStore(dir: string, query: StoreQuery, tailBytes = INDEX_TAIL_BYTES): Promise<StorePage> {
  const { entries, truncated } = await readIndexTail(dir, tailBytes)
  const matching = entries.filter((e) => matches(e, query)).reverse()
  return { total: matching.length, profiles: matching.slice(query.offset, query.offset + query.limit), truncated }
}

/** The entry and bytes of a stored profile, or undefined when no index line (of the part read) names `file`. */
export async function readStoredProfile(dir: string, file: string): Promise<{ entry: IndexEntry; body: Uint8Array } | undefined> {
  if (!STORED_FILE.test(file)) return undefined
  const { entries } = await readIndexTail(dir, INDEX_TAIL_BYTES)
  const entry = entries.findLast((e) => e.file === file)
  if (!entry) return undefined
  const path = join(dir, file)
  const size = (await stat(path).catch(() => undefined))?.size
  if (size === undefined || size > MAX_SERVED_PROFILE_BYTES) return undefined
  const handle = await open(path, 'r')
  try {
    const body = Buffer.alloc(size)
    const { bytesRead } = await handle.read(body, 0, size, 0)
    return { entry, body: body.subarray(0, bytesRead) }
  } finally {
    await handle.close()
  }
}

function matches(e: IndexEntry, q: StoreQuery): boolean {
  if (!q.labels.every(([name, value]) => e.labels[name] === value)) return false
  const at = Date.parse(e.time)
  return (q.fromMs === undefined || at >= q.fromMs) && (q.toMs === undefined || at <= q.toMs)
}

/** The complete lines of the index's last `tailBytes` (a line cut at the start is skipped). */
async function readIndexTail(dir: string, tailBytes: number): Promise<{ entries: IndexEntry[]; truncated: boolean }> {
  let handle
  try {
    handle = await open(join(dir, INDEX_FILE), 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], truncated: false }
    throw error
  }
  try {
    const { size } = await handle.stat()
    const start = Math.max(0, size - tailBytes)
    const buffer = Buffer.alloc(size - start)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start)
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n')
    lines.pop() // after the last '\n': empty, or a line still being written
    if (start > 0) lines.shift()
    const entries = lines.map(parseEntry).filter((e): e is IndexEntry => e !== undefined)
    return { entries, truncated: start > 0 }
  } finally {
    await handle.close()
  }
}
