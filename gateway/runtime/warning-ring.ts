import type { LogWarning } from '../model/log.js'

const KEPT = 20
const MESSAGE_CHARS = 300

/**
 * The last warn and error lines, kept for /status and the page: a day of a flapping device writes
 * thousands of them, so only the newest stay and each is cut to a readable length. A line that
 * repeats (an upstream retrying every few seconds) keeps one place, so it cannot push the one
 * line of a dead device out.
 */
export class WarningRing {
  private readonly lines: LogWarning[] = []

  add(line: Omit<LogWarning, 'repeated'>): void {
    const message = line.message.length > MESSAGE_CHARS ? line.message.slice(0, MESSAGE_CHARS) : line.message
    const same = this.lines.findIndex((l) => l.message === message && l.device === line.device && l.level === line.level)
    const repeated = same < 0 ? 1 : this.lines[same]!.repeated + 1
    if (same >= 0) this.lines.splice(same, 1)
    this.lines.push({ ...line, message, repeated })
    if (this.lines.length > KEPT) this.lines.shift()
  }

  list(): readonly LogWarning[] {
    return [...this.lines]
  }
}
