/**
 * A bus: one modbus-serial client (one serial port, or one TCP connection) and the devices using it.
 * Devices on one RS-485 line, or behind one shared TCP gateway address, get the same Bus from a
 * module-level registry, so their requests go out one at a time in arrival order, each addressed to
 * its own unit id. A unit that does not answer costs the bus only its own timeout. The connection is
 * opened by the first device and closed when the last one releases it.
 */
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js'
import { DriverError } from '../driver.js'
import type { Transport } from './config.js'
import { closeClient, forgetAnswered, openClient } from './connect.js'
import { toDriverError } from './errors.js'

export interface Bus {
  /** Opens the connection unless it is open already. Rejects with DriverError 'connection' | 'timeout'. */
  connect(): Promise<void>
  /**
   * Runs `fn` when every earlier request on the bus has finished, with the client addressed to
   * `unitId` and its reply timeout set. Rejects with what `fn` threw, or DriverError 'connection'
   * when the link drops meanwhile.
   */
  request<T>(unitId: number, timeoutMs: number, fn: (client: ModbusRTU) => Promise<T>): Promise<T>
  /** This device is done with the bus; the last one closes the connection. Never rejects. */
  release(): Promise<void>
}

const shared = new Map<string, SharedBus>()

/** The bus for a device: the registered one for `key`, or a new one (registered when `key` is not null). */
export function acquireBus(key: string | null, transport: Transport): Bus {
  const existing = key === null ? undefined : shared.get(key)
  const bus = existing ?? new SharedBus(key, transport)
  if (key !== null) shared.set(key, bus)
  bus.users++
  return bus
}

class SharedBus implements Bus {
  users = 0
  private client: ModbusRTU | null = null
  private connecting: Promise<void> | null = null
  private link: Link = openLink()
  private tail: Promise<void> = Promise.resolve()

  constructor(
    private readonly key: string | null,
    private readonly transport: Transport,
  ) {}

  connect(): Promise<void> {
    if (this.client?.isOpen) return Promise.resolve()
    this.connecting ??= this.reopen().finally(() => {
      this.connecting = null
    })
    return this.connecting
  }

  request<T>(unitId: number, timeoutMs: number, fn: (client: ModbusRTU) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const client = this.client
      if (client === null || !client.isOpen) throw new DriverError('connection', `${this.name()} is not open`)
      client.setID(unitId)
      client.setTimeout(timeoutMs)
      try {
        return await untilLost(this.link, fn(client))
      } finally {
        forgetAnswered(client)
        const delay = this.transport.type === 'rtu' ? this.transport.interFrameDelayMs : 0
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
      }
    }
    const result = this.tail.then(run, run)
    this.tail = result.then(ignore, ignore)
    return result
  }

  async release(): Promise<void> {
    this.users--
    if (this.users > 0) return
    if (this.key !== null && shared.get(this.key) === this) shared.delete(this.key)
    const client = this.client
    this.client = null
    await this.connecting?.catch(() => undefined)
    if (client) await closeClient(client)
    if (this.client) await closeClient(this.client)
  }

  private async reopen(): Promise<void> {
    if (this.client) await closeClient(this.client)
    this.client = null
    try {
      const client = await openClient(this.transport)
      const link = openLink()
      client.on('close', () => dropLink(link, new DriverError('connection', `${this.name()} closed`)))
      this.link = link
      this.client = client
    } catch (err) {
      throw toDriverError(err, `open ${this.name()}`)
    }
  }

  private name(): string {
    const t = this.transport
    return t.type === 'rtu' ? `serial port ${t.path}` : `${t.type === 'tcp' ? 'Modbus TCP' : 'RTU over TCP'} ${t.host}:${t.port}`
  }
}

const ignore = (): void => undefined

/**
 * One connection's requests in flight, so that its close fails them. Each request registers and
 * unregisters itself: a promise that stays pending for the connection's lifetime (raced against
 * every request) would keep every settled request and its reply words alive until the link drops.
 */
interface Link {
  lost: DriverError | null
  readonly waiting: Set<(error: DriverError) => void>
}

const openLink = (): Link => ({ lost: null, waiting: new Set() })

function dropLink(link: Link, error: DriverError): void {
  link.lost = error
  for (const fail of link.waiting) fail(error)
  link.waiting.clear()
}

/** `work`, or a rejection with why the link dropped when it drops first. */
function untilLost<T>(link: Link, work: Promise<T>): Promise<T> {
  if (link.lost !== null) {
    work.catch(ignore)
    return Promise.reject(link.lost)
  }
  return new Promise<T>((resolve, reject) => {
    link.waiting.add(reject)
    work.then(resolve, reject).finally(() => link.waiting.delete(reject))
  })
}
