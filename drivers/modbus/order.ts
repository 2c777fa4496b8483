/**
 * Byte/word reordering shared by decode and encode. Every order is one or both of two swaps, and
 * each swap is its own inverse, so the same function turns wire words into big-endian bytes and back:
 * ABCD none, BADC bytes inside each register, CDAB register order, DCBA both.
 */
import type { ByteOrder } from './types.js'

const swapsWords = (order: ByteOrder): boolean => order === 'CDAB' || order === 'DCBA'
const swapsBytes = (order: ByteOrder): boolean => order === 'BADC' || order === 'DCBA'

/** Register words as read (or to be written) <-> the value's bytes, most significant first. */
export function wordsToBigEndian(words: readonly number[], order: ByteOrder): Buffer {
  const ordered = swapsWords(order) ? [...words].reverse() : words
  const bytes = Buffer.alloc(ordered.length * 2)
  ordered.forEach((word, i) => {
    const hi = (word >> 8) & 0xff
    const lo = word & 0xff
    bytes[i * 2] = swapsBytes(order) ? lo : hi
    bytes[i * 2 + 1] = swapsBytes(order) ? hi : lo
  })
  return bytes
}

/** The inverse of wordsToBigEndian. */
export function bigEndianToWords(bytes: Buffer, order: ByteOrder): number[] {
  const words: number[] = []
  for (let i = 0; i < bytes.length; i += 2) {
    words.push(swapsBytes(order) ? bytes[i] | (bytes[i + 1] << 8) : (bytes[i] << 8) | bytes[i + 1])
  }
  return swapsWords(order) ? words.reverse() : words
}
