#!/usr/bin/env node
// Runs the compiled benchmarks (dist/scripts/bench/*.js), one after another, or the one named
// first on the command line; later arguments go to that benchmark:
//   npm run bench                       every benchmark
//   npm run bench -- outbox /mnt/data   one benchmark, with its own arguments
//   npm run bench -- --quick            a few minutes: the peers comparison at 1 s and the footprint
//   npm run bench -- --soak MINUTES     memory and CPU every minute under load (peers --soak)
// Only files whose TypeScript source still exists in scripts/bench/ count, so a deleted
// benchmark's stale output in dist/ is not run; helpers live in subdirectories and are skipped.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const compiled = join(root, 'dist', 'scripts', 'bench')
const sources = join(root, 'scripts', 'bench')

const available = existsSync(compiled)
  ? readdirSync(compiled)
      .filter((f) => f.endsWith('.js') && existsSync(join(sources, f.replace(/\.js$/, '.ts'))))
      .map((f) => f.replace(/\.js$/, ''))
      .sort()
  : []
if (available.length === 0) {
  console.error(`no compiled benchmarks in ${compiled}; build first (npm run build)`)
  process.exit(1)
}

// The one-command runs, each a fixed list of benchmarks with their arguments.
const shortcuts = {
  '--quick': () => [['peers', '--quick'], ['footprint', '--quick']],
  '--soak': (rest) => [['peers', '--soak', ...rest]],
}
const [first, ...args] = process.argv.slice(2)
// Each benchmark reads its own arguments, so they only make sense after a benchmark's name.
if (first?.startsWith('-') && !(first in shortcuts)) {
  console.error(`arguments go after a benchmark's name, e.g. npm run bench -- gateway-e2e ${first}; available: ${available.join(', ')}`)
  process.exit(2)
}
const named = first === undefined || first in shortcuts ? undefined : basename(first).replace(/\.(ts|js)$/, '')
if (named !== undefined && !available.includes(named)) {
  console.error(`no benchmark named "${named}"; available: ${available.join(', ')}`)
  process.exit(2)
}
const selected = first in shortcuts
  ? shortcuts[first](args)
  : (named === undefined ? available : [named]).map((name) => [name, ...args])

const failed = []
for (const [name, ...benchArgs] of selected) {
  console.log(`\n=== ${name} ${benchArgs.join(' ')} ===\n`)
  const started = Date.now()
  const run = spawnSync(process.execPath, [join(compiled, `${name}.js`), ...benchArgs], { stdio: 'inherit' })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (run.status === 0) console.log(`\n(${name}: ${seconds} s)`)
  else {
    failed.push(name)
    console.error(`\n${name} failed (${run.signal ?? `exit code ${run.status}`}) after ${seconds} s`)
  }
}
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`)
  process.exit(1)
}
