/**
 * Walks test/cases/config/<name>/: each folder holds a gateway.yaml (and devices), and either
 * errors.txt (the exact `validate` lines, paths relative to the folder) or expected.json (a part of
 * the loaded config that must match, paths relative to the folder). A `registry.txt` saying
 * `real` loads with the real drivers/registry.ts instead of the fake driver.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { drivers } from '../../../drivers/registry.js'
import { formatError, loadConfig } from '../../../gateway/config/load.js'
import { fakeRegistry } from './fake-registry.js'

const casesDir = fileURLToPath(new URL('../../../../test/cases/config/', import.meta.url))

/** Absolute paths inside the case folder become relative ones, so expectations are portable. */
function relativise(value: unknown, dir: string): unknown {
  if (typeof value === 'string') return value === dir ? '.' : value.split(`${dir}/`).join('')
  if (Array.isArray(value)) return value.map((v) => relativise(v, dir))
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, relativise(v, dir)]))
  return value
}

/** Every key of `expected` must be in `actual` with an equal value; arrays must match in length too. */
function assertSubset(actual: unknown, expected: unknown, at: string): void {
  if (typeof expected !== 'object' || expected === null) return assert.deepEqual(actual, expected, at)
  assert.equal(typeof actual, 'object', `${at}: expected an object or array`)
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${at}: expected an array`)
    assert.equal(actual.length, expected.length, `${at}: length`)
  }
  for (const [key, value] of Object.entries(expected)) assertSubset((actual as Record<string, unknown>)[key], value, `${at}.${key}`)
}

for (const name of readdirSync(casesDir).sort()) {
  const dir = join(casesDir, name)
  test(`config case - ${name}`, async () => {
    const real = existsSync(join(dir, 'registry.txt')) && readFileSync(join(dir, 'registry.txt'), 'utf8').trim() === 'real'
    const result = await loadConfig(join(dir, 'gateway.yaml'), real ? drivers : fakeRegistry)
    const errorsFile = join(dir, 'errors.txt')
    if (existsSync(errorsFile)) {
      const expected = readFileSync(errorsFile, 'utf8').split('\n').filter((line) => line.trim() !== '')
      assert.ok(!result.ok, 'expected errors, but the configuration loaded')
      assert.deepEqual(result.error.map((e) => String(relativise(formatError(e), dir))), expected)
    } else {
      if (!result.ok) assert.fail(result.error.map(formatError).join('\n'))
      assertSubset(relativise(result.value, dir), JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')), 'config')
    }
  })
}
