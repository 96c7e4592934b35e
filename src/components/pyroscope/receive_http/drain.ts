/**
 * Closing the receiver without losing an answer: the HTTP/1.1 requests being handled when it closes are
 * answered before their connections end; every other connection ends at once. A client whose push was
 * stored but never answered pushes it again, and a receiver started after this one cannot tell the retry
 * from a new push (the replay guard is in memory), so the profiles would be stored twice.
 */
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

export class RequestDrain {
  /** Sockets with a request being handled, and how many (HTTP/1.1 handles one at a time per socket). */
  readonly #busy = new Map<Socket, number>()
  #closing = false

  /** Called as a request arrives: its socket stays open until the response is done. */
  started(socket: Socket, res: ServerResponse): void {
    this.#busy.set(socket, (this.#busy.get(socket) ?? 0) + 1)
    res.once('close', () => {
      const left = (this.#busy.get(socket) ?? 1) - 1
      if (left > 0) this.#busy.set(socket, left)
      else this.#busy.delete(socket)
      // Closing: the answer is out, nothing more will come on this connection.
      if (this.#closing && left <= 0) socket.end()
    })
  }

  /** Ends every socket without a request being handled now, the others once answered or after `deadlineMs`. */
  close(sockets: ReadonlySet<Socket>, deadlineMs: number): void {
    this.#closing = true
    for (const socket of sockets) if (!this.#busy.has(socket)) socket.destroy()
    if (this.#busy.size === 0) return
    setTimeout(() => {
      for (const socket of this.#busy.keys()) socket.destroy()
    }, deadlineMs).unref()
  }
}
