/**
 * The types directory (`types/` next to gateway.yaml): every *.yaml, *.yml, *.json file in it is one
 * template type. A missing directory means no types; problems are located at file:line:col.
 */
import { readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { TypeCatalog } from './instances.js'
import { readYaml } from './load-devices.js'
import type { Collector, Locator } from './located.js'
import { checkTypesTogether, parseTypeFile } from './template-types.js'
import type { TemplateTypeConfig } from './types.js'

export const MAX_TYPE_FILES = 1000
const typeFile = /\.(ya?ml|json)$/i

export async function loadTypes(dir: string, errors: Collector): Promise<TypeCatalog> {
  let names: string[]
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    names = entries.filter((e) => !e.isDirectory() && typeFile.test(e.name)).map((e) => e.name).sort()
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { types: new Map(), known: [] }
    errors.add({ file: dir, line: 1, col: 1, path: '', message: `cannot read the types directory ${dir}: ${String((cause as Error).message)}` })
    return { types: new Map(), known: [] }
  }
  if (names.length > MAX_TYPE_FILES) {
    errors.add({ file: dir, line: 1, col: 1, path: '', message: `the types directory holds ${names.length} files; at most ${MAX_TYPE_FILES} are read` })
    names = names.slice(0, MAX_TYPE_FILES)
  }
  const docs: { file: string; value: unknown; locate: Locator }[] = []
  const known = new Map<string, string>()
  for (const name of names) {
    const file = join(dir, name)
    const doc = await readYaml(file, 'device', errors)
    if (doc === undefined || doc.errors.length > 0) continue
    const locate: Locator = (p) => ({ file, ...doc.locate(p) })
    const written = (doc.value as { type?: unknown } | null)?.type
    const typeName = typeof written === 'string' ? written : undefined
    const first = typeName === undefined ? undefined : known.get(typeName)
    if (first !== undefined) {
      errors.add({ ...locate(['type']), path: 'type', message: `type '${typeName}' is already declared by ${basename(first)}` })
      continue
    }
    if (typeName !== undefined) known.set(typeName, file)
    docs.push({ file, value: doc.value, locate })
  }
  const valid: TemplateTypeConfig[] = []
  const locators = new Map<string, Locator>()
  for (const doc of docs) {
    const parsed = parseTypeFile(doc.value, doc.file, [...known.keys()])
    errors.addAll(parsed.errors, doc.locate)
    if (parsed.type !== undefined) {
      valid.push(parsed.type)
      locators.set(parsed.type.name, doc.locate)
    }
  }
  const together = checkTypesTogether(valid)
  for (const [name, list] of together) errors.addAll(list, locators.get(name)!)
  const sound = valid.filter((t) => !together.has(t.name))
  return { types: new Map(sound.map((t) => [t.name, t])), known: [...known.keys()] }
}
