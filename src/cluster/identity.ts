/**
 * The node's persistent libp2p identity: an Ed25519 key in `<storage.path>/node.key` (libp2p's protobuf
 * encoding), created on first start with mode 0600. Keeping it makes the peer id stable across restarts,
 * so the others see a restart (same peer id, new start time) rather than a stranger.
 */
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

export const IDENTITY_FILE = 'node.key'

export interface Identity {
  readonly privateKey: PrivateKey
  readonly path: string
  /** True when the key was created by this call. */
  readonly created: boolean
}

export async function loadOrCreateIdentity(storagePath: string): Promise<Identity> {
  const path = join(storagePath, IDENTITY_FILE)
  let bytes: Buffer | undefined
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the node identity ${path}: ${(err as Error).message}`)
  }
  if (bytes !== undefined) {
    try {
      return { privateKey: asLibp2pKey(privateKeyFromProtobuf(bytes)), path, created: false }
    } catch (err) {
      throw new Error(`the node identity ${path} is not a libp2p private key (${(err as Error).message}); remove it to create a new one`)
    }
  }
  const privateKey = asLibp2pKey(await generateKeyPair('Ed25519'))
  await mkdir(storagePath, { recursive: true })
  // 'wx' refuses to overwrite a key another process created meanwhile.
  await writeFile(path, privateKeyToProtobuf(privateKey as unknown as Parameters<typeof privateKeyToProtobuf>[0]), { mode: 0o600, flag: 'wx' })
  await chmod(path, 0o600)
  return { privateKey, path, created: true }
}

/**
 * @libp2p/crypto 5.1 declares its keys with @libp2p/interface 3 types while libp2p 2.10 expects the
 * interface 2 ones; the objects are the same at run time (one @libp2p/crypto is installed).
 */
function asLibp2pKey(key: unknown): PrivateKey {
  return key as PrivateKey
}
