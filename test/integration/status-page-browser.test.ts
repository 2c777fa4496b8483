/**
 * The status page rendered by headless Chromium against the gateway as its own process with no
 * broker: what a user sees (a buffering node, a simulator device online with changing values, a
 * dark Modbus device offline with its reason), a hostile tag name shown as text, no script error,
 * and a phone-width page that does not scroll sideways.
 *
 * STATUS_SCREENSHOT=path writes the page at 1280 px to that path (README's picture).
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import { startChromium, type Browser, type Tab } from '../helpers/chromium.js'
import { startStatusPageGateway, type StatusPageGateway } from '../helpers/status-page-gateway.js'
import { contrastFailures, focusedName, focusRing } from '../helpers/page-checks.js'

const T = 20_000
const HOSTILE = '<script>alert(1)</script>'
const HOSTILE_VALUE = '<img src=x onerror=alert(2)>'

let gateway: StatusPageGateway
let browser: Browser
let tab: Tab

before(async () => {
  gateway = await startStatusPageGateway({ poll: '100ms', timeoutMs: T, extraTags: [`{ name: "${HOSTILE}", signal: setpoint, type: String, initial: "${HOSTILE_VALUE}" }`] })
  browser = await startChromium(T)
  tab = await browser.open(gateway.base, { width: 1280, timeoutMs: T })
})

after(async () => {
  await browser?.close()
  await gateway?.stop()
})

// The text of a cell in the row whose header cell reads `name`, or null while there is none.
const cell = (table: string, name: string, column: number) =>
  `([...document.querySelectorAll('#${table} tbody tr')].find((r) => r.querySelector('th')?.textContent === ${JSON.stringify(name)})?.children[${column}]?.textContent ?? null)`
const listValue = (list: string, label: string) =>
  `([...document.querySelectorAll('#${list} dt')].find((dt) => dt.textContent === ${JSON.stringify(label)})?.nextElementSibling?.textContent ?? null)`

test('status page in Chromium - with no broker the node shows as buffering', async () => {
  assert.equal(await tab.waitFor(`${listValue('upstream', 'Session')} === 'buffering (not connected)' && ${listValue('upstream', 'Session')}`, T), 'buffering (not connected)')
})

test('status page in Chromium - never connected, the upstream names the configured server it keeps trying', async () => {
  const upstream = (await gateway.status()).upstream
  assert.deepEqual({ server: upstream.server, serverInUse: upstream.serverInUse }, { server: null, serverInUse: gateway.server })
  const shown = `${gateway.server} (trying)`
  assert.equal(await tab.waitFor(`${listValue('upstream', 'Server')} === ${JSON.stringify(shown)} && ${listValue('upstream', 'Server')}`, T), shown)
})

test('status page in Chromium - the buffer shows the replay rate /status gives (none replayed with no broker)', async () => {
  const rate = (await gateway.status()).buffer.replayRate
  assert.equal(rate, 0)
  assert.equal(await tab.waitFor(`${listValue('buffer', 'Replay rate')} !== null && ${listValue('buffer', 'Replay rate')}`, T), '0 metrics/s')
})

test('status page in Chromium - the node shows its group id, edge node id and software version', async () => {
  const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }
  assert.equal(await tab.waitFor(`${listValue('node', 'Group')} !== null && ${listValue('node', 'Group')}`, T), 'Plant1')
  assert.equal(await tab.evaluate(listValue('node', 'Edge node')), 'Line3-GW')
  assert.equal(await tab.evaluate(listValue('node', 'Software version')), version)
})

test('status page in Chromium - the upstream shows since when it buffers, the time /status gives', async () => {
  const since = (await gateway.status()).upstream.since
  const shown = await tab.waitFor<string>(`${listValue('upstream', 'Since')} !== null && ${listValue('upstream', 'Since')}`, T)
  assert.equal(shown, await tab.evaluate(`new Date(${since}).toLocaleString()`))
})

test('status page in Chromium - the simulator device online, its tags listed, its Counter changing between two reads', async () => {
  assert.equal(await tab.waitFor(`${cell('devices', 'Sim1', 1)} === 'online' && 'online'`, T), 'online')
  await tab.evaluate(`(() => { const s = document.getElementById('tag-device'); s.value = 'Sim1'; s.dispatchEvent(new Event('change')); return s.value })()`)
  assert.equal(await tab.waitFor(`${cell('tags', 'Setpoint', 1)} === '20' && ${cell('tags', 'Setpoint', 2)}`, T), 'degC')
  const first = await tab.waitFor<string>(`(${cell('tags', 'Counter', 1)} ?? 'no value') !== 'no value' && ${cell('tags', 'Counter', 1)}`, T)
  const next = await tab.waitFor<string>(`${cell('tags', 'Counter', 1)} !== ${JSON.stringify(first)} && ${cell('tags', 'Counter', 1)}`, T)
  assert.notEqual(next, first)
  assert.equal(await tab.evaluate(cell('tags', 'Counter', 3)), 'good')
  if (process.env.STATUS_SCREENSHOT) writeFileSync(process.env.STATUS_SCREENSHOT, await tab.screenshot())
})

test('status page in Chromium - the dark Modbus device offline, with why', async () => {
  assert.equal(await tab.waitFor(`(${cell('devices', 'Dark1', 1)} ?? '').startsWith('offline: scans') && ${cell('devices', 'Dark1', 1)}`, T), 'offline: scans fail')
  const error = await tab.waitFor<string>(`(${cell('devices', 'Dark1', 6)} ?? '') !== '' && ${cell('devices', 'Dark1', 6)}`, T)
  assert.match(error, /refused/i)
  assert.equal(await tab.evaluate(cell('devices', 'Sim1', 6)), '')
})

test('status page in Chromium - the last warnings list the dark device not answering, with its device', async () => {
  const row = `[...document.querySelectorAll('#warnings tbody tr')].find((r) => r.children[1]?.textContent === 'Dark1' && r.children[2]?.textContent.startsWith('device not answering'))`
  const message = await tab.waitFor<string>(`${row}?.children[2].textContent ?? false`, T)
  assert.match(message, /refused/i)
})

test(`status page in Chromium - a tag named ${HOSTILE} and its value show as text, no element made of them`, async () => {
  assert.equal(await tab.waitFor(cell('tags', HOSTILE, 1), T), HOSTILE_VALUE)
  const heads = await tab.evaluate<string[]>(`[...document.querySelectorAll('#tags tbody th')].map((th) => th.textContent)`)
  assert.ok(heads.includes(HOSTILE), heads.join(', '))
  assert.equal(await tab.evaluate(`document.querySelectorAll('main script, main img').length`), 0)
  assert.deepEqual(await tab.evaluate(`[...document.scripts].map((s) => new URL(s.src).pathname)`), ['/page.js'])
})

test('status page in Chromium - at 360 px wide the page does not scroll sideways and no word in a table is split', async () => {
  await tab.setWidth(360)
  const widths = await tab.evaluate<{ scroll: number; inner: number }>(`new Promise((resolve) => requestAnimationFrame(() => resolve({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })))`)
  assert.equal(widths.inner, 360)
  assert.ok(widths.scroll <= widths.inner, `the page is ${widths.scroll} px wide in a ${widths.inner} px viewport`)
  // A word keeps its letters together: a narrow table scrolls in its own box rather than read "go od".
  const split = await tab.evaluate<string[]>(`[...document.querySelectorAll('table th, table td')].flatMap((c) => {
    const text = c.firstChild
    if (text === null || text.nodeType !== Node.TEXT_NODE) return []
    return [...text.data.matchAll(/[A-Za-z0-9]+/g)].filter((word) => {
      const range = document.createRange()
      range.setStart(text, word.index)
      range.setEnd(text, word.index + word[0].length)
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1
    }).map((word) => word[0])
  })`)
  assert.deepEqual(split, [], 'words split across lines')
  if (process.env.STATUS_SCREENSHOT_NARROW) writeFileSync(process.env.STATUS_SCREENSHOT_NARROW, await tab.screenshot())
})

test('status page in Chromium - Tab walks the controls in order, each with a visible focus ring, and a filter typed with the keyboard narrows the tags', async () => {
  await tab.navigate(gateway.base, T)
  await tab.waitFor(`${cell('devices', 'Sim1', 1)} === 'online'`, T)
  const order: string[] = []
  await tab.evaluate('window.tabbed = []')
  for (let presses = 0; presses < 20; presses++) {
    await tab.press('Tab')
    const name = await tab.evaluate<string>(focusedName)
    if (name === 'body' || order.includes(name)) break
    order.push(name)
    await tab.evaluate(`window.tabbed.push({ element: document.activeElement, focused: ${focusRing} })`)
  }
  assert.deepEqual(order, ['div>#devices', '#tag-device', '#tag-filter', 'div>#tags', 'div>#warnings', 'a:/status', 'a:/metrics'])
  await tab.evaluate('document.activeElement.blur()')
  const unchanged = await tab.evaluate<string[]>(`window.tabbed.filter(({ element, focused }) => {
    const s = getComputedStyle(element)
    return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' | ' + s.boxShadow === focused
  }).map(({ focused }) => focused)`)
  assert.deepEqual(unchanged, [], 'controls that look the same focused and not')

  // Back to the device selector, an arrow key picks the next device (Dark1, then Sim1), Tab goes on to the filter.
  for (let presses = 0; presses < 20 && (await tab.evaluate(focusedName)) !== '#tag-device'; presses++) await tab.press('Tab', { shift: true })
  assert.equal(await tab.evaluate(focusedName), '#tag-device')
  assert.equal(await tab.evaluate(`document.getElementById('tag-device').value`), 'Dark1')
  await tab.press('ArrowDown')
  assert.equal(await tab.evaluate(`document.getElementById('tag-device').value`), 'Sim1')
  await tab.waitFor(`${cell('tags', 'Setpoint', 1)} === '20'`, T)
  await tab.press('Tab')
  assert.equal(await tab.evaluate(focusedName), '#tag-filter')
  await tab.type('coun')
  const names = `[...document.querySelectorAll('#tags tbody th')].map((th) => th.textContent).join(',')`
  assert.equal(await tab.waitFor(`${names} === 'Counter' && ${names}`, T), 'Counter')
  assert.equal(await tab.evaluate(`document.getElementById('tag-filter').value`), 'coun')
  for (let i = 0; i < 4; i++) await tab.press('Backspace')
  await tab.waitFor(`${cell('tags', 'Setpoint', 1)} === '20'`, T)
})

test('status page in Chromium - every visible text passes WCAG AA contrast against its background', async () => {
  await tab.waitFor(`document.querySelector('dd.warn') !== null && document.querySelector('td.good') !== null && document.querySelector('td.bad') !== null`, T)
  assert.deepEqual(await tab.evaluate(contrastFailures), [])
})

test('status page in Chromium - no console error, no uncaught exception, no failed load', async () => {
  await tab.navigate(gateway.base, T)
  await tab.waitFor(`${cell('devices', 'Sim1', 1)} === 'online'`, T)
  assert.deepEqual(tab.errors, [])
})
