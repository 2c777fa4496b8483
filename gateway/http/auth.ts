import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { HttpAuth } from '../config/types.js'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Whether a request carries the configured credentials: `Authorization: Basic` for a user (what a
 * browser asks for), `Authorization: Bearer` for a token (what a scraper sends). Compared as
 * digests in constant time, so neither the length nor the first differing byte shows in timing.
 */
export function authorizer(auth: HttpAuth | undefined): (req: IncomingMessage) => boolean {
  if (auth === undefined) return () => true
  const expected = digest(auth.kind === 'token' ? `Bearer ${auth.secret ?? ''}` : `${auth.username}:${auth.secret ?? ''}`)
  return (req) => {
    const header = req.headers.authorization ?? ''
    const given = auth.kind === 'token' ? header : /^Basic ([A-Za-z0-9+/=]+)$/.exec(header)?.[1]
    if (given === undefined) return false
    const text = auth.kind === 'token' ? given : Buffer.from(given, 'base64').toString('utf8')
    return timingSafeEqual(digest(text), expected)
  }
}
