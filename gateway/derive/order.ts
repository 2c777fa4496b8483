/**
 * The order derived tags are evaluated in, each after the derived tags it reads (Kahn's
 * algorithm, bounded by the number of tags). Tags left over read each other in a circle.
 */
export function evaluationOrder(inputs: readonly (readonly string[])[], names: readonly string[]): { order: number[]; circular: number[] } {
  const index = new Map(names.map((n, i) => [n, i]))
  const waitingFor = inputs.map((list) => new Set(list.filter((n) => index.has(n))).size)
  const readers = names.map((): number[] => [])
  inputs.forEach((list, i) => {
    for (const name of new Set(list)) {
      const source = index.get(name)
      if (source !== undefined) readers[source]!.push(i)
    }
  })
  const order: number[] = []
  const ready = waitingFor.flatMap((n, i) => (n === 0 ? [i] : []))
  while (ready.length > 0) {
    const i = ready.shift()!
    order.push(i)
    for (const reader of readers[i]!) if (--waitingFor[reader]! === 0) ready.push(reader)
  }
  const placed = new Set(order)
  return { order, circular: names.flatMap((_, i) => (placed.has(i) ? [] : [i])) }
}

/** One circle through `start` among the `circular` tags, as names: A → B → A. */
export function circleFrom(start: number, inputs: readonly (readonly string[])[], names: readonly string[], circular: readonly number[]): string[] {
  const index = new Map(names.map((n, i) => [n, i]))
  const open = new Set(circular)
  const path = [start]
  const seen = new Set([start])
  for (let at = start; path.length <= names.length; ) {
    const next = inputs[at]!.map((n) => index.get(n)).find((i) => i !== undefined && open.has(i))
    if (next === undefined) break
    if (seen.has(next)) return [...path.slice(path.indexOf(next)), next].map((i) => names[i]!)
    path.push(next)
    seen.add(next)
    at = next
  }
  return path.map((i) => names[i]!)
}
