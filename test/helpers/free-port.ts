/**
 * Ports on 127.0.0.1 for tests: servers listen on port 0 and report the port the OS gave them.
 * `closedPort()` gives a port that was just free, for "connection refused" cases.
 */
import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'

export interface Listening {
  readonly port: number
  /** Closes the server and destroys its open connections (keep-alive ones too), so tests end promptly. */
  close(): Promise<void>
}

/** Listens on 127.0.0.1:0. Works for net, http, https, tls and http2 servers (all are net.Server). */
export async function listenOnLoopback(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address')
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

export async function freePort(): Promise<number> {
  const listening = await listenOnLoopback(createServer())
  await listening.close()
  return listening.port
}

/** A port on 127.0.0.1 with nothing listening on it. */
export const closedPort = freePort
