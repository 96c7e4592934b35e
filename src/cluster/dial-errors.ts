/**
 * A failed dial in words a user can act on. A pre-shared-key mismatch shows up as a failed encryption
 * handshake, an early end of the stream, or a dial that hangs until its timeout (docs/cluster-protocol.md
 * "Pre-shared keys").
 */
export function explainDialError(text: string, pskConfigured: boolean): string {
  if (/Encryption|Missing newline|length too long|Unexpected ?EOF|unexpected end/i.test(text)) {
    return `${text} (the connection could not be secured: the nodes probably do not share the same --cluster.psk-file, or one has none)`
  }
  if (/Timeout|aborted/i.test(text)) {
    return pskConfigured ? `${text} (no handshake in time: unreachable, or a different --cluster.psk-file on the other side)` : `${text} (unreachable in time)`
  }
  if (/ECONNREFUSED/.test(text)) return `${text} (nothing listens there yet)`
  return text
}
