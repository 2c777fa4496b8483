import { createServer } from 'node:net'
import type { Socket } from 'node:net'
import { Aedes } from 'aedes'

/** A running in-process MQTT broker. */
export interface EmbeddedBroker {
  /** mqtt://host:port, ready for clients. */
  readonly url: string
  /** The bound port (useful when 0 was asked for). */
  readonly port: number
  /** Stops listening, drops every client (their wills are published) and closes the broker. */
  close(): Promise<void>
}

/**
 * Starts an aedes broker on `host:port` (a free port when 0) for the no-setup demo. MQTT 3.1.1
 * only: aedes does not speak MQTT 5. Wills are published when a client drops without DISCONNECT,
 * which is what makes the demo's NDEATH visible.
 */
export async function startEmbeddedBroker(options: { host?: string; port?: number } = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1'
  const broker = await Aedes.createBroker()
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    broker.handle(socket)
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => resolve())
    })
  } catch (err) {
    await new Promise<void>((resolve) => broker.close(() => resolve()))
    throw new Error(`cannot start the embedded MQTT broker on ${host}:${options.port ?? 0}: ${(err as Error).message}`, { cause: err })
  }
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  let closing: Promise<void> | undefined
  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close()
        for (const socket of sockets) socket.destroy()
        broker.close(() => resolve())
      })
      return closing
    },
  }
}
