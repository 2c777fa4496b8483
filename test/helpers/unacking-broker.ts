/**
 * An MQTT 3.1.1 broker that accepts connections, subscriptions and keepalive pings but never
 * acknowledges a QoS 1 publish: the connection looks healthy to the client while every QoS 1
 * message stays in flight. It stalls the gateway's pump honestly, the way a wedged broker would.
 */
import { createServer, type Socket } from 'node:net'
import mqttPacket from 'mqtt-packet'

export interface UnackingBroker {
  readonly url: string
  /** QoS 1 publishes received and left unacknowledged. */
  unacked(): number
  /** Drops every connection and stops listening. */
  close(): Promise<void>
}

export async function startUnackingBroker(): Promise<UnackingBroker> {
  const sockets = new Set<Socket>()
  let unacked = 0
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    const reply = (packet: mqttPacket.Packet) => socket.write(mqttPacket.generate(packet))
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connect') reply({ cmd: 'connack', returnCode: 0, sessionPresent: false })
      else if (packet.cmd === 'subscribe') reply({ cmd: 'suback', messageId: packet.messageId!, granted: packet.subscriptions.map((s) => s.qos) })
      else if (packet.cmd === 'pingreq') reply({ cmd: 'pingresp' })
      else if (packet.cmd === 'publish' && packet.qos === 1) unacked++
    })
    socket.on('data', (chunk) => parser.parse(chunk))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `mqtt://127.0.0.1:${port}`,
    unacked: () => unacked,
    close() {
      for (const socket of sockets) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
