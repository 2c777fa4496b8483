import type { Fields, Section } from './fields.js'

/** What an upstream accepts in its `servers:` list. */
export interface ServerRules {
  readonly schemes: readonly string[]
  /** Ends "expected a URL such as …". */
  readonly example: string
  /** Why an otherwise well-formed URL is refused, or undefined. */
  readonly problem?: (url: URL) => string | undefined
}

/** A server URL that passed the rules, with the text as written. */
export interface ServerUrl {
  readonly url: URL
  readonly written: string
}

/**
 * The `servers:` of an upstream section: one URL or a list, each of an accepted scheme with a
 * host. Undefined when any is wrong (each reported at its item), so no server is silently dropped.
 */
export function parseServerUrls(f: Fields, section: Section, rules: ServerRules): ServerUrl[] | undefined {
  const items = f.list(section, 'servers', { required: true, single: true })
  if (items === undefined) return undefined
  if (items.length === 0) return f.error([...section.path, 'servers'], 'expected at least one server URL')
  const servers: ServerUrl[] = []
  for (const item of items) {
    const url = typeof item.value === 'string' && URL.canParse(item.value) ? new URL(item.value) : undefined
    // The URL as written is not repeated in a message: it may hold a password.
    const problem = url === undefined || !rules.schemes.includes(url.protocol) || url.hostname === ''
      ? `expected a URL such as ${rules.example}`
      : rules.problem?.(url)
    if (problem !== undefined) f.error(item.path, problem)
    else servers.push({ url: url!, written: item.value as string })
  }
  return servers.length === items.length ? servers : undefined
}
