/**
 * Ports on 127.0.0.1 for tests: servers listen on port 0 and report the port the OS gave them.
 * `freePort()` gives a port for a process to listen on later; `closedPort()` a port that was just free,
 * for "connection refused" cases.
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

/**
 * Below Linux's ephemeral range (32768–60999 by default): a port the OS hands out for port 0 may be taken
 * as the source port of an outgoing connection before the process meant to listen on it starts, which
 * happens when many nodes start at once.
 */
const FIXED_PORTS = { from: 20_000, to: 32_000 }
const handedOut = new Set<number>()

/** A port free just now on `host`, outside the ephemeral range, never handed out twice by this process. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIXED_PORTS.from + Math.floor(Math.random() * (FIXED_PORTS.to - FIXED_PORTS.from))
    if (handedOut.has(port)) continue
    if (await canListen(port, host)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error(`no free port between ${FIXED_PORTS.from} and ${FIXED_PORTS.to}`)
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, host, () => server.close(() => resolve(true)))
  })
}

/** A port on 127.0.0.1 with nothing listening on it. */
export const closedPort = (): Promise<number> => freePort()
