/**
 * Derived tags: evaluations per second, and the CPU one scan per second of a device with 1,000
 * derived tags costs. Each derived tag reads its own input with a state function and arithmetic:
 * `round({T<i>} * 1.8 + 32, 1) + rate({T<i>}) * 0 + total({T<i>}, "1h") * 0`. Runs in-process
 * through the normaliser, as the poll loop calls it. Prints the median of 7 runs.
 */
import { loadavg, cpus } from 'node:os'
import { compileDerived } from '../../gateway/derive/compile.js'
import type { ExprType } from '../../gateway/derive/ast.js'
import { Deadband } from '../../gateway/normalise/deadband.js'
import { DerivedTags } from '../../gateway/normalise/derived.js'
import { normalise } from '../../gateway/normalise/normalise.js'
import { tagDefs } from '../../gateway/normalise/tag-def.js'
import type { DerivedTagConfig } from '../../gateway/config/types.js'

const COUNT = 1000
const SCANS = 2000
const names = Array.from({ length: COUNT }, (_, i) => `T${i}`)
const sources = names.map((n, i) => ({ name: `D${i}`, expression: `round({${n}} * 1.8 + 32, 1) + rate({${n}}) * 0 + total({${n}}, "1h") * 0` }))
const compiled = compileDerived(sources, new Map(names.map((n) => [n, 'number' as ExprType])), () => '')
if (compiled.errors.length > 0) throw new Error(compiled.errors[0]!.message)
const derived: DerivedTagConfig[] = sources.map((s, i) => ({ ...s, ...compiled.tags[i]!, sparkplugType: 'Double', deadband: 0 }))
const tags = tagDefs(names.map((name) => ({ name, pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0 })), names.map((name) => ({ name, type: 'Double' })))
const byName = new Map(tags.map((t) => [t.name, t]))

function run(withDerived: boolean): number {
  const deadband = new Deadband()
  const derivedTags = withDerived ? new DerivedTags(derived, 1000) : undefined
  const started = process.cpuUsage()
  for (let scan = 0; scan < SCANS; scan++) {
    const at = scan * 1000
    normalise(names.map((point, i) => ({ point, at, value: 20 + ((scan + i) % 50) / 10 })), byName, deadband, derivedTags)
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / 1000 / SCANS
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
run(true)
const plain: number[] = []
const withDerived: number[] = []
for (let i = 0; i < 7; i++) {
  plain.push(run(false))
  withDerived.push(run(true))
}
const perScan = median(withDerived) - median(plain)
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log(`1,000 tags, normaliser only: ${median(plain).toFixed(3)} ms CPU per scan`)
console.log(`1,000 tags + 1,000 derived: ${median(withDerived).toFixed(3)} ms CPU per scan; derived cost ${perScan.toFixed(3)} ms per scan = ${(perScan / 10).toFixed(2)} % of one core at 1 s`)
console.log(`evaluations per second: ${Math.round(COUNT / (perScan / 1000)).toLocaleString('en')}`)
