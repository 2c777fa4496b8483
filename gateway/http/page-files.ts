import { readFileSync } from 'node:fs'

/** One file of the status page, read once at start: the page costs no disk read per request. */
export interface PageFile {
  readonly type: string
  readonly body: Buffer
}

const FILES: Readonly<Record<string, readonly [file: string, type: string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/page.js': ['page.js', 'text/javascript; charset=utf-8'],
  '/page.css': ['page.css', 'text/css; charset=utf-8'],
  // Named by the page: without an icon of its own a browser asks for /favicon.ico and logs the 404.
  '/icon.svg': ['icon.svg', 'image/svg+xml'],
}

/**
 * The page's files by URL path. The build copies gateway/http/page next to this module; a file
 * missing there (a broken install) leaves the page out and /metrics and /status still answer.
 */
export function loadPageFiles(onMissing: (file: string, error: string) => void): ReadonlyMap<string, PageFile> {
  const out = new Map<string, PageFile>()
  for (const [path, [file, type]] of Object.entries(FILES)) {
    try {
      out.set(path, { type, body: readFileSync(new URL(`./page/${file}`, import.meta.url)) })
    } catch (error) {
      onMissing(file, (error as Error).message)
    }
  }
  return out
}

/**
 * Sent with every answer. The page loads its own script and styles and fetches /status; nothing
 * inline, no eval, no other origin, and no framing by another site.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}
