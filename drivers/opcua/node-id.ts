/** Syntax check of an OPC UA node id as written in a tag file (OPC UA Part 6 §5.3.1.10). */

const ids: Readonly<Record<string, (body: string) => string | null>> = {
  i: (b) => (/^\d{1,10}$/.test(b) && Number(b) <= 0xffffffff ? null : 'a numeric id (i=) is 0..4294967295'),
  s: (b) => (b.length > 0 ? null : 'a string id (s=) is not empty'),
  g: (b) => (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(b) ? null : 'a GUID id (g=) is 8-4-4-4-12 hex digits, e.g. g=72962B91-FA75-4AE6-8D28-B404DC7DAF63'),
  b: (b) => (/^[A-Za-z0-9+/]+={0,2}$/.test(b) && b.length % 4 === 0 ? null : 'an opaque id (b=) is base64, a multiple of 4 characters'),
}

const hint = 'expected ns=<namespace index>;<id> with the id as i=<number>, s=<string>, g=<guid> or b=<base64>, e.g. ns=2;s=Press4.Pressure (or nsu=<namespace uri>;...)'

/** Null when `text` is a node id; otherwise what is wrong with it. */
export function nodeIdProblem(text: string): string | null {
  let rest = text
  const ns = /^ns=(\d+);/.exec(rest) ?? /^nsu=([^;]+);/.exec(rest)
  if (ns !== null) {
    if (ns[0].startsWith('ns=') && Number(ns[1]) > 65535) return `namespace index ${ns[1]} is above 65535`
    rest = rest.slice(ns[0].length)
  }
  const form = /^([isgb])=/.exec(rest)
  if (form === null) return `${JSON.stringify(text)} is not a node id: ${hint}`
  const problem = ids[form[1]](rest.slice(2))
  return problem === null ? null : `${JSON.stringify(text)}: ${problem}`
}
