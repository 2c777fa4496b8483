/** Syntax check of an OPC UA node id as written in a tag file (OPC UA Part 6 §5.3.1.10). */

const forms = [
  { re: /^i=(\d{1,10})$/, check: (v: string) => Number(v) <= 0xffffffff || 'a numeric id (i=) is 0..4294967295' },
  { re: /^s=(.+)$/s, check: () => true as const },
  { re: /^g=([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/, check: () => true as const },
  { re: /^b=([A-Za-z0-9+/]+={0,2})$/, check: (v: string) => v.length % 4 === 0 || 'an opaque id (b=) is base64, a multiple of 4 characters' },
]

const hint = 'expected ns=<namespace index>;<id> with the id as i=<number>, s=<string>, g=<guid> or b=<base64>, e.g. ns=2;s=Press4.Pressure (or nsu=<namespace uri>;...)'

/** Null when `text` is a node id; otherwise what is wrong with it. */
export function nodeIdProblem(text: string): string | null {
  let rest = text
  const ns = /^ns=(\d+);/.exec(rest)
  const nsu = /^nsu=([^;]+);/.exec(rest)
  if (ns) {
    if (Number(ns[1]) > 65535) return `namespace index ${ns[1]} is above 65535`
    rest = rest.slice(ns[0].length)
  } else if (nsu) rest = rest.slice(nsu[0].length)
  for (const form of forms) {
    const m = form.re.exec(rest)
    if (!m) continue
    const verdict = form.check(m[1])
    return verdict === true ? null : verdict
  }
  return `${JSON.stringify(text)} is not a node id: ${hint}`
}
