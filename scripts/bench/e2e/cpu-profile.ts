/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function, heaviest first,
 * with the location mapped back to the TypeScript source through the compiler's source maps.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number }
}

interface Profile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
}

export interface HotFunction {
  /** Function name as V8 reports it; (garbage collector), (program) and such for native time. */
  readonly name: string
  /** file:line, relative to `root`, in the TypeScript source when a source map says where. */
  readonly where: string
  /** Self time in milliseconds. */
  readonly selfMs: number
  /** Share of the busy sampled time (idle left out). */
  readonly share: number
}

const VLQ = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Segments of one generated line: [generated column, source index, original line]. */
type Segment = readonly [number, number, number]

function decodeMappings(mappings: string): Segment[][] {
  const state = [0, 0, 0, 0, 0]
  return mappings.split(';').map((line) => {
    state[0] = 0
    const segments: Segment[] = []
    for (const text of line.split(',')) {
      if (text === '') continue
      let field = 0
      let value = 0
      let shift = 0
      for (const char of text) {
        const digit = VLQ.indexOf(char)
        value += (digit & 31) << shift
        shift += 5
        if (digit & 32) continue
        state[field++]! += value & 1 ? -(value >>> 1) : value >>> 1
        value = 0
        shift = 0
      }
      if (field >= 4) segments.push([state[0]!, state[1]!, state[2]!])
    }
    return segments
  })
}

const maps = new Map<string, { sources: string[]; lines: Segment[][] } | null>()

/** The source file and 1-based line of a 0-based generated position, or null without a map. */
function original(file: string, line: number, column: number): { file: string; line: number } | null {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`
    const raw = existsSync(mapFile) ? (JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string }) : null
    maps.set(file, raw && { sources: raw.sources.map((s) => resolve(dirname(file), s)), lines: decodeMappings(raw.mappings) })
  }
  const map = maps.get(file)
  const segments = map?.lines[line]
  if (!map || !segments || segments.length === 0) return null
  let best = segments[0]!
  for (const s of segments) if (s[0] <= column) best = s
  return { file: map.sources[best[1]]!, line: best[2] + 1 }
}

function locate(frame: ProfileNode['callFrame'], root: string): string {
  if (!frame.url.startsWith('file://')) return frame.url || '(native)'
  const file = fileURLToPath(frame.url)
  const mapped = original(file, frame.lineNumber, frame.columnNumber)
  return mapped ? `${relative(root, mapped.file)}:${mapped.line}` : `${relative(root, file)}:${frame.lineNumber + 1}`
}

export interface ProfileSummary {
  /** Busy sampled time: everything but (idle). */
  readonly totalMs: number
  /** The heaviest functions by self time. */
  readonly functions: readonly HotFunction[]
  /** Self time summed per file (the part of `where` before the line), heaviest first. */
  readonly files: readonly { readonly file: string; readonly selfMs: number; readonly share: number }[]
}

/** The `top` functions and files by self time in the profile at `path`; paths relative to `root`. */
export function summariseProfile(path: string, root: string, top: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<string, { name: string; where: string; us: number }>()
  let totalUs = 0
  // timeDeltas[i + 1] is the time from sample i to the next, spent where sample i was taken.
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0
    const frame = byId.get(profile.samples[i]!)!.callFrame
    if (frame.functionName === '(idle)') continue
    const where = locate(frame, root)
    const name = frame.functionName || '(anonymous)'
    const key = `${name} ${where}`
    const entry = self.get(key) ?? { name, where, us: 0 }
    entry.us += us
    self.set(key, entry)
    totalUs += us
  }
  const perFile = new Map<string, number>()
  for (const e of self.values()) {
    const file = e.where.replace(/:\d+$/, '')
    perFile.set(file, (perFile.get(file) ?? 0) + e.us)
  }
  const functions = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: e.us / totalUs }))
  const files = [...perFile]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([file, us]) => ({ file, selfMs: us / 1000, share: us / totalUs }))
  return { totalMs: totalUs / 1000, functions, files }
}
