import type { ChildProcess } from 'node:child_process'

// Helper processes (socat, pymodbus) still running when the test process exits are killed by PID,
// whatever the test did: a setup that fails half-way (socat up, the Modbus server not) leaves
// no orphan behind.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined) killQuietly(child.pid)
})
// A test process stopped by a signal (the test runner's timeout, Ctrl-C) runs no 'exit' handlers
// unless the signal is turned into an exit: without this, brokers and gateways outlive it.
for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
  process.once(signal, () => process.exit(code))
}

/** Registers `child` to be killed at exit; it is forgotten once it exits by itself. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child)
  child.once('exit', () => running.delete(child))
  return child
}

/** How many tracked helper processes are still running (for tests of the helpers). */
export function trackedPids(): number[] {
  return [...running].flatMap((c) => (c.pid === undefined ? [] : [c.pid]))
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Already gone between its exit and this handler.
  }
}
