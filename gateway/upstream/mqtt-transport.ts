import { Socket } from 'node:net'
import { TLSSocket } from 'node:tls'
import type { Duplex } from 'node:stream'

/**
 * Calls `sent` once bytes already queued on `stream` have really left for the server. mqtt.js
 * queues CONNECT on a socket that is still connecting, so "queued" is not "sent": a refused TCP
 * connection or a failed TLS handshake must not count as a CONNECT (it would consume a bdSeq).
 */
export function whenFlushed(stream: Duplex, sent: () => void): void {
  if (stream instanceof TLSSocket) {
    // Cleartext is held until the handshake (with certificate checks) succeeds.
    stream.once('secureConnect', sent)
  } else if (stream instanceof Socket) {
    if (stream.connecting) stream.once('connect', sent)
    else sent()
  } else {
    // WebSocket streams hold writes until the socket opens; an empty write's callback runs after them.
    stream.write(Buffer.alloc(0), (err) => {
      if (!err) sent()
    })
  }
}
