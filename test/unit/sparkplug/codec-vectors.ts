/**
 * Loads the golden vectors of test/cases/codec/*.json, turning {"bigint": "..."} into bigint and
 * {"hex": "..."} into Uint8Array.
 */
import { readdirSync, readFileSync } from 'node:fs'
import type { CodecOptions, Payload } from '../../../gateway/sparkplug/payload.js'

export interface Vector {
  readonly file: string
  readonly title: string
  readonly options: CodecOptions
  readonly payload: Payload
  readonly decoded: Payload
  readonly hex: string
}

// Compiled tests run from dist/test/unit/sparkplug; the vectors stay in the source tree.
const dir = new URL('../../../../test/cases/codec/', import.meta.url)

function revive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const keys = Object.keys(value)
  if (keys.length !== 1) return value
  const v = (value as Record<string, unknown>)[keys[0]]
  if (keys[0] === 'bigint' && typeof v === 'string') return BigInt(v)
  if (keys[0] === 'hex' && typeof v === 'string') return new Uint8Array(Buffer.from(v, 'hex'))
  return value
}

export function loadVectors(): Vector[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  return files.flatMap((file) => {
    const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8'), revive) as {
      vectors: { title: string; options: CodecOptions; payload: Payload; decoded?: Payload; hex: string }[]
    }
    return doc.vectors.map((v) => ({ file, ...v, decoded: v.decoded ?? v.payload }))
  })
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
export const fromHex = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'))
