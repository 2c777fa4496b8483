/**
 * Opens and closes the modbus-serial client for a transport: Modbus TCP (MBAP framing), RTU over a
 * serial port (buffered, so replies split across reads reassemble), and RTU frames over a raw TCP
 * socket (serial device servers; modbus-serial calls this port "telnet").
 */
import modbusSerial from 'modbus-serial'
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js'
import type { Transport } from './config.js'

// A CommonJS module: its typings put the class on `default`, which at runtime is module.exports itself.
const ModbusClient = modbusSerial.default

/** Resolves with an open client, or rejects with the library's error (mapped by errors.ts). */
export async function openClient(transport: Transport): Promise<ModbusRTU> {
  const client = new ModbusClient()
  // modbus-serial emits 'error' for serial port faults; without a listener Node would throw.
  client.on('error', () => undefined)
  if (transport.type === 'rtu') {
    const { path, baudRate, parity, dataBits, stopBits } = transport
    await client.connectRTUBuffered(path, { baudRate, parity, dataBits, stopBits })
    return client
  }
  const connecting =
    transport.type === 'tcp'
      ? client.connectTCP(transport.host, { port: transport.port })
      : client.connectTelnet(transport.host, { port: transport.port })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no connection to ${transport.host}:${transport.port} within ${transport.connectTimeoutMs} ms`)), transport.connectTimeoutMs)
  })
  try {
    await Promise.race([connecting, timeout])
    return client
  } catch (err) {
    client.destroy(() => undefined)
    throw err
  } finally {
    clearTimeout(timer)
  }
}

/** Closes the client; never rejects and never hangs (modbus-serial skips the callback on a dead socket). */
export function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 500)
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    try {
      if (client.isOpen) client.close(done)
      else client.destroy(done)
    } catch {
      done()
    }
  })
}
