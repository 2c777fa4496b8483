/**
 * Opens and closes the modbus-serial client for a transport: Modbus TCP (MBAP framing), RTU over a
 * serial port (buffered, so replies split across reads reassemble), and RTU frames over a raw TCP
 * socket (serial device servers; modbus-serial calls this port "telnet").
 */
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js'
import type { Transport } from './config.js'

/** Resolves with an open client, or rejects with the library's error (mapped by errors.ts). */
export async function openClient(transport: Transport): Promise<ModbusRTU> {
  // Loaded at the first open, not with the driver list: modbus-serial and the serialport bindings it
  // loads cost about 16 MiB resident, which a configuration without a Modbus device never needs.
  // A CommonJS module: its typings put the class on `default`, which at runtime is module.exports itself.
  const { default: modbusSerial } = await import('modbus-serial')
  const client = new modbusSerial.default()
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

/**
 * modbus-serial keeps every answered transaction (its callback, reply words and buffer) until its
 * id comes round again: 256 per TCP connection, a few hundred KiB for large blocks. Requests on a
 * bus run one at a time, so once one settles none is outstanding and the table can be emptied; a
 * late reply then finds no transaction and is dropped, as one to a timed-out request already was.
 */
export function forgetAnswered(client: ModbusRTU): void {
  const internals = client as unknown as { _transactions: Record<number, unknown> }
  internals._transactions = {}
}
