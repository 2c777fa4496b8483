/**
 * Headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe`: Chromium
 * reads commands from its fd 3 and writes replies and events to its fd 4, each message one JSON
 * text ended by a NUL byte. The pipe needs no WebSocket client and no port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import './children.js' // a signal that stops the test process still runs the 'exit' cleanup below

const BINARY = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path)) ?? 'chromium'
const STOP_MS = 5000

interface Message { id?: number; sessionId?: string; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } }
type Params = Record<string, unknown>

export interface Tab {
  /** Console errors, uncaught exceptions and error log entries (failed loads, CSP refusals) so far. */
  readonly errors: readonly string[]
  /** Loads `url` and resolves at its load event. */
  navigate(url: string, timeoutMs: number): Promise<void>
  /** The viewport: `width` CSS pixels; below 600 px as a phone (the page's viewport meta applies). */
  setWidth(width: number, height?: number): Promise<void>
  /** The value of a JavaScript expression in the page (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>
  /**
   * The first value of `expression` that is neither null, undefined nor false, re-checked in the
   * page on every change of the DOM; rejects after `timeoutMs` with the last value seen.
   */
  waitFor<T>(expression: string, timeoutMs: number): Promise<T>
  /** A PNG of the whole page at the current width. */
  screenshot(): Promise<Buffer>
  /** Presses and releases a key as a keyboard does (Input.dispatchKeyEvent): 'Tab', 'Backspace', 'Enter', ... */
  press(key: NamedKey, options?: { shift?: boolean }): Promise<void>
  /** Types `text` one character at a time, each a key down and up, into the focused element. */
  type(text: string): Promise<void>
  /** After a full garbage collection of the page: its used JS heap (bytes), DOM nodes and event listeners. */
  memory(): Promise<{ jsHeapUsed: number; nodes: number; listeners: number }>
}

/** Keys with no text, by their DOM `key`, with the Windows virtual key code Chromium needs. */
const NAMED_KEYS = { Tab: 9, Backspace: 8, Enter: 13, Escape: 27, ArrowDown: 40, ArrowUp: 38 } as const
export type NamedKey = keyof typeof NAMED_KEYS

export interface Browser {
  readonly pid: number
  open(url: string, options: { width: number; timeoutMs: number }): Promise<Tab>
  /** Browser.close, then SIGKILL to its process group if it has not exited within 5 s. */
  close(): Promise<void>
}

const running = new Set<number>()
process.once('exit', () => {
  for (const pid of running) killGroup(pid)
})

/** Chromium in a fresh profile directory, removed when it is closed. */
export async function startChromium(timeoutMs: number): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'spgw-chromium-'))
  // --no-sandbox: the tests may run as root, where Chromium refuses its sandbox. detached: its
  // own process group, so the renderer and GPU helpers go with it when it is killed.
  const child = spawn(BINARY, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'], { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'], detached: true })
  const pid = child.pid!
  running.add(pid)
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running.delete(pid)
    resolve()
  }))
  const stderr: string[] = []
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')))
  child.stdout!.resume()
  const pipe = new DevToolsPipe(child, () => stderr.join('').slice(-2000))
  try {
    await withTimeout(pipe.send('Browser.getVersion'), timeoutMs, () => `Chromium did not answer on its DevTools pipe: ${stderr.join('').slice(-2000)}`)
  } catch (error) {
    killGroup(pid)
    await exited
    rmSync(profile, { recursive: true, force: true })
    throw error
  }
  return {
    pid,
    open: (url, { width, timeoutMs: openMs }) => openTab(pipe, url, width, openMs),
    async close() {
      pipe.send('Browser.close').catch(() => {})
      const timer = setTimeout(() => killGroup(pid), STOP_MS)
      await exited
      clearTimeout(timer)
      killGroup(pid) // helpers Chromium left behind, if any
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

class DevToolsPipe {
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (result: Params) => void; reject: (error: Error) => void }>()
  private readonly listeners = new Set<(message: Message) => void>()
  private readonly input: Writable
  private buffered = ''

  constructor(child: ChildProcess, describeExit: () => string) {
    this.input = child.stdio[3] as Writable
    const output = child.stdio[4] as Readable
    this.input.on('error', () => {})
    output.on('data', (chunk: Buffer) => this.receive(chunk.toString('utf8')))
    child.once('exit', (code, signal) => {
      for (const { reject } of this.pending.values()) reject(new Error(`Chromium exited (${code ?? signal}): ${describeExit()}`))
      this.pending.clear()
    })
  }

  send(method: string, params: Params = {}, sessionId?: string): Promise<Params> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`)
    })
  }

  onEvent(listener: (message: Message) => void): void {
    this.listeners.add(listener)
  }

  private receive(text: string): void {
    this.buffered += text
    let end = this.buffered.indexOf('\0')
    while (end >= 0) {
      const message = JSON.parse(this.buffered.slice(0, end)) as Message
      this.buffered = this.buffered.slice(end + 1)
      end = this.buffered.indexOf('\0')
      if (message.id === undefined) {
        for (const listener of this.listeners) listener(message)
        continue
      }
      const waiter = this.pending.get(message.id)
      this.pending.delete(message.id)
      if (message.error !== undefined) waiter?.reject(new Error(message.error.message))
      else waiter?.resolve(message.result ?? {})
    }
  }
}

async function openTab(pipe: DevToolsPipe, url: string, width: number, timeoutMs: number): Promise<Tab> {
  const { targetId } = await pipe.send('Target.createTarget', { url: 'about:blank' })
  const { sessionId } = (await pipe.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string }
  const send = (method: string, params: Params = {}) => pipe.send(method, params, sessionId)
  const errors: string[] = []
  const loads: (() => void)[] = []
  pipe.onEvent((message) => {
    if (message.sessionId !== sessionId) return
    const problem = describeProblem(message)
    if (problem !== undefined) errors.push(problem)
    if (message.method === 'Page.loadEventFired') for (const loaded of loads.splice(0)) loaded()
  })
  await Promise.all([send('Page.enable'), send('Runtime.enable'), send('Log.enable')])
  const evaluate = async <T>(expression: string): Promise<T> => {
    const reply = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as { result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }
    if (reply.exceptionDetails !== undefined) throw new Error(`${expression}: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`)
    return reply.result.value as T
  }
  const setWidth = async (w: number, height = 800) => {
    await send('Emulation.setDeviceMetricsOverride', { width: w, height, deviceScaleFactor: 1, mobile: w < 600 })
  }
  const tab: Tab = {
    errors,
    async navigate(target, navigateMs) {
      const loaded = new Promise<void>((resolve) => loads.push(resolve))
      const { errorText } = (await send('Page.navigate', { url: target })) as { errorText?: string }
      if (errorText !== undefined) throw new Error(`${target}: ${errorText}`)
      await withTimeout(loaded, navigateMs, () => `${target} did not finish loading within ${navigateMs} ms`)
    },
    setWidth,
    evaluate,
    async waitFor<T>(expression: string, waitMs: number): Promise<T> {
      // The check runs in the page on every DOM change; the page itself never times out (the
      // race below does), so a slow page leaves no half-finished wait behind but an observer.
      const inPage = `new Promise((resolve) => {
        const check = () => { const value = (${expression}); if (value !== null && value !== undefined && value !== false) { observer.disconnect(); resolve(value) } }
        const observer = new MutationObserver(check)
        observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
        check()
      })`
      try {
        return await withTimeout(evaluate<T>(inPage), waitMs, () => `${expression} did not hold within ${waitMs} ms`)
      } catch (error) {
        const last = await evaluate<unknown>(expression).catch((e: Error) => e.message)
        throw new Error(`${(error as Error).message}; last value ${JSON.stringify(last)}`)
      }
    },
    async press(key, options = {}) {
      const code = NAMED_KEYS[key]
      const event = { key, code: key, windowsVirtualKeyCode: code, nativeVirtualKeyCode: code, modifiers: options.shift === true ? 8 : 0 }
      await send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...event })
      await send('Input.dispatchKeyEvent', { type: 'keyUp', ...event })
    },
    async type(text) {
      for (const char of text) {
        await send('Input.dispatchKeyEvent', { type: 'keyDown', key: char, text: char, unmodifiedText: char })
        await send('Input.dispatchKeyEvent', { type: 'keyUp', key: char })
      }
    },
    async memory() {
      await send('Performance.enable')
      await send('HeapProfiler.collectGarbage')
      const { metrics } = (await send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }
      const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN
      return { jsHeapUsed: value('JSHeapUsedSize'), nodes: value('Nodes'), listeners: value('JSEventListeners') }
    },
    async screenshot() {
      const height = await evaluate<number>('document.documentElement.scrollHeight')
      const viewport = await evaluate<number>('window.innerWidth')
      await setWidth(viewport, height)
      const { data } = (await send('Page.captureScreenshot', { format: 'png' })) as { data: string }
      return Buffer.from(data, 'base64')
    },
  }
  await setWidth(width)
  await tab.navigate(url, timeoutMs)
  return tab
}

/** A line for each console error, uncaught exception or error log entry; undefined otherwise. */
function describeProblem(message: Message): string | undefined {
  const params = message.params ?? {}
  if (message.method === 'Runtime.consoleAPICalled' && params.type === 'error') {
    const args = (params.args as { value?: unknown; description?: string }[]) ?? []
    return `console.error: ${args.map((a) => a.description ?? String(a.value)).join(' ')}`
  }
  if (message.method === 'Runtime.exceptionThrown') {
    const details = params.exceptionDetails as { text: string; exception?: { description?: string } }
    return `exception: ${details.exception?.description ?? details.text}`
  }
  if (message.method === 'Log.entryAdded') {
    const entry = params.entry as { level: string; text: string; url?: string }
    if (entry.level === 'error') return `log: ${entry.text}${entry.url === undefined ? '' : ` (${entry.url})`}`
  }
  return undefined
}

function withTimeout<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(describe())), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // The group is already gone.
  }
}
