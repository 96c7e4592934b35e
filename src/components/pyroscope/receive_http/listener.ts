/**
 * One port for HTTP/1.1 and cleartext HTTP/2, as Alloy's receive_http serves both on its HTTP port. gRPC
 * clients speak HTTP/2 with prior knowledge: their connection opens with the HTTP/2 preface, so the first
 * bytes of each connection say which server gets it. The HTTP/1.1 server is the one listening (its
 * header and request deadlines then work as usual); its own connection handling runs only for sockets
 * that are not HTTP/2.
 */
import type { Server as HttpServer } from 'node:http'
import type { Http2Server } from 'node:http2'
import type { Socket } from 'node:net'

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1')

export interface SharedPortOptions {
  /** A connection whose first bytes do not tell the protocol within this is closed. */
  readonly sniffTimeoutMs: number
  /** Called for every accepted connection first; false closes it. */
  readonly accept: (socket: Socket) => boolean
}

/** Takes over `http1`'s connections: each goes to `http1`'s own handling or, with the HTTP/2 preface, to `http2`. */
export function shareListeningPort(http1: HttpServer, http2: Http2Server, opts: SharedPortOptions): void {
  const http1Handling = http1.listeners('connection') as ((socket: Socket) => void)[]
  http1.removeAllListeners('connection')
  http1.on('connection', (socket: Socket) => {
    if (!opts.accept(socket)) {
      socket.destroy()
      return
    }
    sniff(socket, opts.sniffTimeoutMs, (protocol) => {
      if (protocol === 'h2') http2.emit('connection', socket)
      else for (const handle of http1Handling) handle.call(http1, socket)
    })
  })
}

/**
 * Reads until the bytes either are the HTTP/2 preface or cannot be, puts them back, and routes the socket.
 * Most connections decide on their first read: an HTTP/1 request line differs from `PRI *` at once.
 */
function sniff(socket: Socket, timeoutMs: number, route: (protocol: 'h1' | 'h2') => void): void {
  let seen: Buffer = Buffer.alloc(0)
  const timer = setTimeout(() => socket.destroy(), timeoutMs)
  // Until a server owns the socket, an error (a reset) only ends it.
  const ignore = (): void => undefined
  socket.on('error', ignore)
  socket.once('close', () => clearTimeout(timer))
  const look = (): void => {
    const chunk = socket.read() as Buffer | null
    if (chunk !== null) seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk])
    const undecided = seen.length < PREFACE.length && seen.equals(PREFACE.subarray(0, seen.length))
    if (undecided) {
      if (!socket.destroyed) socket.once('readable', look)
      return
    }
    clearTimeout(timer)
    socket.off('error', ignore)
    socket.unshift(seen)
    route(seen.subarray(0, PREFACE.length).equals(PREFACE) ? 'h2' : 'h1')
  }
  look()
}
