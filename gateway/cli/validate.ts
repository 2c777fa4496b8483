/** `sparkplug-gateway validate`: checks gateway.yaml and every device file without starting anything. */
import { isAbsolute, relative } from 'node:path'
import { parseArgs } from 'node:util'
import { formatError, formatWarning, loadConfig, type LocatedError } from '../config/load.js'
import { defaultConfigFile, EX_CONFIG, EX_USAGE } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway validate [--config FILE]

Checks gateway.yaml, every device file in its devices directory and every CSV tag list,
without connecting to anything. Prints each problem as file:line:col: path: message and
exits with 78 (EX_CONFIG), or prints a one-line summary and exits with 0.

Options:
  -c, --config FILE   gateway.yaml to check (default ${defaultConfigFile()}; env SPARKPLUG_GATEWAY_CONFIG)
`

/** Where `validate` writes; tests pass their own. */
export interface Output {
  /** One line for stdout, without its newline. */
  out(line: string): void
  /** One line for stderr, without its newline. */
  err(line: string): void
}

const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

export async function run(args: string[], output: Output = processOutput): Promise<number> {
  let config: string | undefined
  try {
    config = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } }).values.config
  } catch (error) {
    output.err(`validate: ${(error as Error).message}\n\n${help.trimEnd()}`)
    return EX_USAGE
  }
  const warnings: LocatedError[] = []
  const result = await loadConfig(config ?? defaultConfigFile(), undefined, warnings)
  for (const w of warnings) output.err(formatWarning({ ...w, file: shown(w.file) }))
  if (!result.ok) {
    for (const e of result.error) output.err(formatError({ ...e, file: shown(e.file) }))
    return EX_CONFIG
  }
  const devices = result.value.devices
  const tags = devices.reduce((sum, d) => sum + d.tags.length, 0)
  output.out(`${shown(result.value.file)} OK: ${count(devices.length, 'device')}, ${count(tags, 'tag')}`)
  return 0
}

/** Paths under the working directory are shown relative to it, as editors and CI logs expect. */
function shown(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`
