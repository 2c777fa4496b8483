/**
 * The field side of the peers and disk-jitter benchmarks, run as its own process (`fork`): a
 * minimal Modbus TCP server on 127.0.0.1 answering read coils (FC 1), read holding registers
 * (FC 3) and write register(s) (FC 6, FC 16; the values are not kept) at once, for any unit id. modbus-serial's ServerTCP defers every request by a timer, which would cap a
 * one-request-per-tag reader at about 1 ms per tag; this one answers in the same tick.
 *
 * Each read that covers HR0 of a unit starts a new scan of that unit: its values move on, so
 * every tag changes at every scan. Words stay below 1000, so a float32 never becomes NaN.
 * It counts requests and scans, and records when each scan started and when each write arrived
 * (process.hrtime, CLOCK_MONOTONIC: one clock for every process of the machine, so the parent can
 * compare it with its own); the parent asks for counts and times over IPC.
 */
import { createServer, type Socket } from 'node:net'

export type ServerRequest = { readonly cmd: 'stats' } | { readonly cmd: 'changing'; readonly on: boolean } | { readonly cmd: 'times' }
export interface ServerStats {
  /** Requests answered, all units. */
  readonly requests: number
  /** Scans started (reads covering HR0), all units. */
  readonly scans: number
}
/** One write request (FC 6 or FC 16) as it arrived. */
export interface WriteArrival {
  /** process.hrtime in milliseconds. */
  readonly at: number
  readonly unit: number
  readonly address: number
  /** The first register written. */
  readonly value: number
}
/** What arrived since the last `times` request; older times are forgotten once sent. */
export interface ServerTimes {
  /** Unit id → process.hrtime in milliseconds of each scan start, oldest first. */
  readonly scanStarts: Record<number, number[]>
  readonly writes: WriteArrival[]
  /** Times not kept because nobody asked for them in time (more than MAX_TIMES held). */
  readonly dropped: number
}

const MBAP = 7
const scans = new Map<number, number>()
let changing = true
let requests = 0
let totalScans = 0
// Bounds the times held when the parent never asks for them (the peers benchmark).
const MAX_TIMES = 200_000
let scanStarts = new Map<number, number[]>()
let writes: WriteArrival[] = []
let held = 0
let dropped = 0

const nowMs = () => Number(process.hrtime.bigint()) / 1e6

function keep(record: () => void): void {
  if (held >= MAX_TIMES) dropped++
  else {
    held++
    record()
  }
}

const word = (address: number, unit: number) => ((scans.get(unit) ?? 0) + address + unit) % 1000

function answer(unit: number, pdu: Buffer): Buffer {
  const fc = pdu[0]!
  const address = pdu.readUInt16BE(1)
  // FC 6 carries the value written here.
  const quantity = pdu.readUInt16BE(3)
  requests++
  if (fc === 3 && quantity >= 1 && quantity <= 125) {
    if (address === 0) {
      const at = nowMs()
      keep(() => {
        const times = scanStarts.get(unit) ?? []
        times.push(at)
        scanStarts.set(unit, times)
      })
    }
    if (address === 0 && changing) {
      scans.set(unit, (scans.get(unit) ?? 0) + 1)
      totalScans++
    }
    const out = Buffer.alloc(2 + 2 * quantity)
    out[0] = 3
    out[1] = 2 * quantity
    for (let i = 0; i < quantity; i++) out.writeUInt16BE(word(address + i, unit), 2 + 2 * i)
    return out
  }
  if (fc === 1 && quantity >= 1 && quantity <= 2000) {
    const out = Buffer.alloc(2 + Math.ceil(quantity / 8))
    out[0] = 1
    out[1] = out.length - 2
    for (let i = 0; i < quantity; i++) if (word(address + i, unit) % 2 === 0) out[2 + (i >> 3)]! |= 1 << (i & 7)
    return out
  }
  // FC 6 echoes address and value; FC 16 echoes address and quantity.
  if (fc === 6) {
    keep(() => writes.push({ at: nowMs(), unit, address, value: quantity }))
    return Buffer.from(pdu.subarray(0, 5))
  }
  if (fc === 16 && quantity >= 1 && quantity <= 123 && pdu[5] === 2 * quantity && pdu.length >= 6 + 2 * quantity) {
    keep(() => writes.push({ at: nowMs(), unit, address, value: pdu.readUInt16BE(6) }))
    return Buffer.from(pdu.subarray(0, 5))
  }
  return Buffer.from([fc | 0x80, fc === 1 || fc === 3 || fc === 16 ? 3 : 1])
}

function serve(socket: Socket): void {
  let pending = Buffer.alloc(0)
  socket.on('error', () => socket.destroy())
  socket.on('data', (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    const replies: Buffer[] = []
    while (pending.length >= MBAP + 5) {
      const length = pending.readUInt16BE(4)
      if (pending.length < 6 + length) break
      const pdu = answer(pending[6]!, pending.subarray(MBAP, 6 + length))
      const header = Buffer.alloc(MBAP)
      pending.copy(header, 0, 0, 4)
      header.writeUInt16BE(pdu.length + 1, 4)
      header[6] = pending[6]!
      replies.push(header, pdu)
      pending = pending.subarray(6 + length)
    }
    if (replies.length > 0) socket.write(Buffer.concat(replies))
  })
}

const server = createServer(serve)
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send!({ port: typeof address === 'object' && address !== null ? address.port : 0 })
})
process.on('message', (message: ServerRequest) => {
  if (message.cmd === 'changing') changing = message.on
  else if (message.cmd === 'times') {
    process.send!({ scanStarts: Object.fromEntries(scanStarts), writes, dropped } satisfies ServerTimes)
    scanStarts = new Map()
    writes = []
    held = 0
    dropped = 0
  } else process.send!({ requests, scans: totalScans } satisfies ServerStats)
})
process.on('disconnect', () => process.exit(0))
