/**
 * A growing list (messages received, lines printed) that tests can wait on: `waitForCount`
 * resolves as soon as enough items match, with no polling and no sleeps.
 */
export class Collection<T> {
  readonly items: T[] = []
  private readonly waiters = new Set<() => void>()

  constructor(private readonly describe: (items: readonly T[]) => string = (items) => `${items.length} item(s) in all`) {}

  push(...items: T[]): void {
    this.items.push(...items)
    for (const check of this.waiters) check()
  }

  /** The first `count` items matching `predicate`; rejects after `timeoutMs` saying what came. */
  waitForCount(predicate: (item: T) => boolean, count: number, timeoutMs: number): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.items.filter(predicate)
        if (found.length < count) return
        this.waiters.delete(check)
        clearTimeout(timer)
        resolve(found.slice(0, count))
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        reject(new Error(`expected ${count} matching within ${timeoutMs} ms, got ${this.items.filter(predicate).length}; ${this.describe(this.items)}`))
      }, timeoutMs)
      this.waiters.add(check)
      check()
    })
  }

  async waitFor(predicate: (item: T) => boolean, timeoutMs: number): Promise<T> {
    return (await this.waitForCount(predicate, 1, timeoutMs))[0]!
  }
}
