import type { LogWarning } from '../model/log.js'

const KEPT = 20
const MESSAGE_CHARS = 300

/**
 * The last warn and error lines, kept for /status and the page: a day of a flapping device writes
 * thousands of them, so only the newest stay and each is cut to a readable length.
 */
export class WarningRing {
  private readonly lines: LogWarning[] = []

  add(line: LogWarning): void {
    this.lines.push(line.message.length > MESSAGE_CHARS ? { ...line, message: line.message.slice(0, MESSAGE_CHARS) } : line)
    if (this.lines.length > KEPT) this.lines.shift()
  }

  list(): readonly LogWarning[] {
    return [...this.lines]
  }
}
