/**
 * CPU time and memory of a process, and of the whole machine, read from /proc (Linux only).
 * CPU is in seconds so that a delta divided by wall time is a fraction of one core.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/** utime + stime of `pid`, seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces and parentheses; fields after it are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(rest[11]) + Number(rest[12])) / ticksPerSecond
}

/** VmRSS (now) and VmHWM (peak since start) of `pid`, bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kib('VmRSS'), peak: kib('VmHWM') }
}

/** Busy and total CPU seconds of the machine over all cores, from the first line of /proc/stat. */
export function machineSeconds(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = cpu.reduce((a, b) => a + b, 0)
  // Columns 1-8 (guest time is already inside user); idle and iowait are the ones in which no work ran.
  const busy = total - cpu[3]! - (cpu[4] ?? 0)
  return { busy: busy / ticksPerSecond, total: total / ticksPerSecond }
}
