/** The storage folder lock for the commands (docs/operations.md): a folder in use is a usage error. */
import { StorageLockedError, acquireStorageLock } from '../util/storage-lock.js'
import type { StorageLock } from '../util/storage-lock.js'
import { UsageError } from './errors.js'

/** Takes `dir`'s lock; another live process holding it is a usage error (one line, exit 1). */
export function lockStorage(dir: string, flag: string): StorageLock {
  try {
    return acquireStorageLock(dir, flag)
  } catch (err) {
    if (err instanceof StorageLockedError) throw new UsageError(err.message)
    throw err
  }
}
