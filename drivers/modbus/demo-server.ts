/**
 * A small simulated Modbus TCP device for `sparkplug-gateway demo`: a tank whose level swings, a
 * temperature (float32, word order CDAB, as many PLCs send it) that follows a writable setpoint,
 * and a writable pump coil. Values are computed from the clock when read, so it needs no timers.
 */
import { createServer } from 'node:net'
import { ServerTCP, type IServiceVector } from 'modbus-serial'

/** The register map, for the device file that reads it. */
export const demoRegisters = {
  /** HR0: level in 0.1 % (uint16). */
  level: 0,
  /** HR1..HR2: temperature in degC, float32 CDAB. */
  temperature: 1,
  /** HR10: setpoint in 0.1 degC (uint16), writable. */
  setpoint: 10,
  /** CO0: pump running, writable. */
  run: 0,
} as const

/** A running demo device. */
export interface DemoModbusServer {
  /** TCP port on 127.0.0.1. */
  readonly port: number
  /** Stops listening and drops the connections. */
  close(): Promise<void>
}

const float32Cdab = (value: number): [number, number] => {
  const bytes = Buffer.alloc(4)
  bytes.writeFloatBE(value)
  return [bytes.readUInt16BE(2), bytes.readUInt16BE(0)]
}

/** Starts the device on a free port of 127.0.0.1 (any unit id is answered). */
export async function startDemoModbusServer(): Promise<DemoModbusServer> {
  const state = { setpoint: 650, run: true }
  const registers = (): Map<number, number> => {
    const t = Date.now() / 1000
    const level = 500 + 300 * Math.sin(t / 20) // 20..80 %, about two minutes a cycle
    const [low, high] = float32Cdab(state.setpoint / 10 + 1.5 * Math.sin(t / 7))
    return new Map([[demoRegisters.level, Math.round(level)], [demoRegisters.temperature, low], [demoRegisters.temperature + 1, high], [demoRegisters.setpoint, state.setpoint]])
  }
  const vector: IServiceVector = {
    getHoldingRegister: (addr: number) => registers().get(addr) ?? 0,
    getMultipleHoldingRegisters: (addr: number, length: number) => {
      const now = registers()
      return Array.from({ length }, (_, i) => now.get(addr + i) ?? 0)
    },
    getCoil: (addr: number) => addr === demoRegisters.run && state.run,
    setCoil: (addr: number, value: boolean) => {
      if (addr === demoRegisters.run) state.run = value
    },
    setRegister: (addr: number, value: number) => {
      if (addr === demoRegisters.setpoint) state.setpoint = value
    },
  }
  const port = await freePort()
  const server = new ServerTCP(vector, { host: '127.0.0.1', port, unitID: 255 })
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => resolve())
    server.once('serverError', (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))))
  })
  // A client that drops its connection must not take the demo down with an unhandled 'error'.
  server.on('socketError', () => undefined)
  server.on('error', () => undefined)
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port bound'))))
    })
  })
}
