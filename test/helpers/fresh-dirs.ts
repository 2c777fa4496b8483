import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

/**
 * A new empty directory per call, all under one temporary root named after `prefix` that is
 * removed when the test file ends.
 */
export function freshDirs(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`))
  after(() => rmSync(root, { recursive: true, force: true }))
  let made = 0
  return () => {
    const dir = join(root, `case-${made++}`)
    mkdirSync(dir)
    return dir
  }
}
