/**
 * The Modbus loads every system is measured on: devices of 100·k tags, the same mix as
 * the modbus-devices benchmark (40 % uint16, 30 % float32 CDAB, 20 % int32, 10 % coils), every
 * value changing at every scan. Each system reads the same registers of the same server.
 */

export interface Load {
  /** Short name for tables and file names, e.g. "10x100 @1s". */
  readonly label: string
  readonly devices: number
  /** A multiple of 100. */
  readonly tagsPerDevice: number
  readonly pollMs: number
}

export const LOADS: readonly Load[] = [
  { label: '10 x 100 @ 1 s', devices: 10, tagsPerDevice: 100, pollMs: 1000 },
  { label: '10 x 100 @ 100 ms', devices: 10, tagsPerDevice: 100, pollMs: 100 },
  { label: '10,000 points @ 1 s', devices: 10, tagsPerDevice: 1000, pollMs: 1000 },
]

export type Kind = 'U16' | 'F32' | 'I32' | 'Coil'

/** One tag: its name, where it lives, and how many registers (or coils) it spans. */
export interface Tag {
  readonly name: string
  readonly kind: Kind
  /** Holding register, or coil for kind Coil. */
  readonly address: number
  readonly width: number
}

/** A group of tags of one kind, read as one request by a block reader (Node-RED's read node). */
export interface Block {
  readonly kind: Kind
  readonly address: number
  readonly quantity: number
  /** Index within its kind of the first tag in the block. */
  readonly firstTag: number
}

const WIDTH: Readonly<Record<Kind, number>> = { U16: 1, F32: 2, I32: 2, Coil: 1 }
// Registers per block read: below Modbus' 125 and a multiple of every width.
const BLOCK_REGISTERS = 120
const BLOCK_COILS = 2000

/** Tags of one device in register order: uint16 from HR0, then float32, then int32; coils from CO0. */
export function tags(load: Load): Tag[] {
  const k = load.tagsPerDevice / 100
  const out: Tag[] = []
  let register = 0
  for (const [kind, count] of [['U16', 40 * k], ['F32', 30 * k], ['I32', 20 * k]] as const) {
    for (let i = 0; i < count; i++, register += WIDTH[kind]) out.push({ name: `${kind}/T${i}`, kind, address: register, width: WIDTH[kind] })
  }
  for (let i = 0; i < 10 * k; i++) out.push({ name: `Coil/T${i}`, kind: 'Coil', address: i, width: 1 })
  return out
}

/** The blocks a Node-RED user would configure: each kind's range cut into reads of at most 120 registers. */
export function blocks(load: Load): Block[] {
  const out: Block[] = []
  for (const kind of ['U16', 'F32', 'I32', 'Coil'] as const) {
    const ofKind = tags(load).filter((t) => t.kind === kind)
    const perBlock = kind === 'Coil' ? BLOCK_COILS : BLOCK_REGISTERS / WIDTH[kind]
    for (let first = 0; first < ofKind.length; first += perBlock) {
      const inBlock = ofKind.slice(first, first + perBlock)
      out.push({ kind, address: inBlock[0]!.address, quantity: inBlock.length * WIDTH[kind], firstTag: first })
    }
  }
  return out
}

/** A gateway tag file for device `index` (unit id `index`) of the load; `writable` tags accept DCMD writes. */
export function gatewayDeviceYaml(load: Load, index: number, port: number, writable: readonly string[] = []): string {
  const lines = tags(load).map((t) => {
    const extra = writable.includes(t.name) ? ', writable: true' : ''
    if (t.kind === 'U16') return `  - { name: ${t.name}, address: HR${t.address}${extra} }`
    if (t.kind === 'F32') return `  - { name: ${t.name}, address: HR${t.address}, type: float32, order: CDAB${extra} }`
    if (t.kind === 'I32') return `  - { name: ${t.name}, address: HR${t.address}, type: int32${extra} }`
    return `  - { name: ${t.name}, address: CO${t.address}${extra} }`
  })
  return [`device: Dev${index}`, 'driver: modbus-tcp', `connection: { host: 127.0.0.1, port: ${port}, unitId: ${index} }`, `poll: ${load.pollMs}ms`, 'tags:', ...lines].join('\n')
}

/** Metric updates per second when every scan reports every tag. */
export const ideal = (load: Load): number => (load.devices * load.tagsPerDevice * 1000) / load.pollMs
