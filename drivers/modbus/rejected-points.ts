/** The points a device refused (exception 2/3), with a version so cached scan plans know to re-plan. */
import type { DriverError } from '../driver.js'

export class RejectedPoints {
  private readonly byIndex = new Map<number, DriverError>()
  /** Changes whenever a point is added or removed. */
  version = 0

  get(index: number): DriverError | undefined {
    return this.byIndex.get(index)
  }

  has(index: number): boolean {
    return this.byIndex.has(index)
  }

  set(index: number, error: DriverError): void {
    if (!this.byIndex.has(index)) this.version++
    this.byIndex.set(index, error)
  }

  delete(index: number): void {
    if (this.byIndex.delete(index)) this.version++
  }
}
