// The status page: polls /status (the same numbers /metrics exports) and rebuilds each section.
// Data goes into the page only through textContent, so a device named "<script>" stays text.
'use strict'

const POLL_MS = 2000

function el(tag, text, className) {
  const node = document.createElement(tag)
  if (text !== undefined) node.textContent = String(text)
  if (className !== undefined) node.className = className
  return node
}

function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${Math.round(s / 3600)} h`
}

function bytes(n) {
  if (n < 1024) return `${n} B`
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1048576).toFixed(1)} MiB`
}

// rows: [label, value, className?]; replaces the list so nothing accumulates over a day.
function fillList(id, rows) {
  const list = document.getElementById(id)
  const items = []
  for (const [label, value, className] of rows) items.push(el('dt', label), el('dd', value, className))
  list.replaceChildren(...items)
}

function showNode(node) {
  fillList('node', [['Group', node.groupId], ['Edge node', node.edgeNodeId], ['Software version', node.version]])
}

function showUpstream(up) {
  const rows = [
    ['Server', up.connected ? up.server : `${up.serverInUse} (trying)`],
    ['Session', up.connected ? 'connected' : 'buffering (not connected)', up.connected ? 'good' : 'bad'],
    ['Since', new Date(up.since).toLocaleString()],
    ['Births sent', up.born ? 'yes' : 'no'],
    ['bdSeq', up.bdSeq],
    ['Sessions since start', up.reconnects],
    ['Messages published', up.published],
    ['Metrics replayed', up.replayedMetrics],
  ]
  if (up.primaryHostOnline !== null) rows.push(['Primary host', up.primaryHostOnline ? 'online' : 'offline', up.primaryHostOnline ? 'good' : 'bad'])
  fillList('upstream', rows)
}

function showBuffer(buffer, now) {
  fillList('buffer', [
    ['Records', buffer.records, buffer.records > 0 ? 'warn' : undefined],
    ['Size', bytes(buffer.bytes)],
    ['Oldest', buffer.oldestAt === null ? 'empty' : `${ago(now - buffer.oldestAt)} old`],
    ['Replay rate', `${buffer.replayRate} metrics/s`],
    ['Dropped', buffer.dropped, buffer.dropped > 0 ? 'bad' : undefined],
  ])
}

function deviceState(d) {
  if (d.online) return ['online', 'good']
  if (d.timeouts > 0) return ['offline: not answering (scans time out)', 'bad']
  if (d.failedScans > 0) return ['offline: scans fail', 'bad']
  return ['offline: no scan yet', 'warn']
}

function showDevices(devices) {
  const rows = []
  for (const [name, d] of Object.entries(devices)) {
    const [state, className] = deviceState(d)
    const row = el('tr')
    row.append(rowHead(name), el('td', state, className), el('td', d.scans), el('td', d.failedScans), el('td', d.timeouts), el('td', `${d.lastScanMs.toFixed(1)} ms`), el('td', d.lastError ?? ''))
    rows.push(row)
  }
  fillTable('devices', rows, 'No devices configured.', 7)
}

// Newest first: the line a technician looks for is the one that just happened.
function showWarnings(warnings) {
  const rows = warnings.slice().reverse().map((w) => {
    const row = el('tr')
    row.append(rowHead(new Date(w.at).toLocaleString(), w.level === 'error' ? 'bad' : 'warn'), el('td', w.device ?? ''), el('td', w.repeated > 1 ? `${w.message} (${w.repeated} times)` : w.message))
    return row
  })
  fillTable('warnings', rows, 'No warnings since start.', 3)
}

function rowHead(text, className) {
  const head = el('th', text, className)
  head.scope = 'row'
  return head
}

// An empty table says so in one row across its columns.
function fillTable(id, rows, emptyText, columns) {
  if (rows.length === 0) {
    const cell = el('td', emptyText)
    cell.colSpan = columns
    const row = el('tr')
    row.append(cell)
    rows.push(row)
  }
  document.querySelector(`#${id} tbody`).replaceChildren(...rows)
}

function showState(state) {
  const rows = [['Directory', state.dir], ['bdSeq file', state.bdseq.writable ? 'writable' : `not writable: ${state.bdseq.error ?? 'unknown error'}`, state.bdseq.writable ? undefined : 'bad']]
  if (state.buffer !== null) rows.push(['Buffer file', state.buffer.writable ? 'writable' : `not writable: ${state.buffer.error ?? 'unknown error'}`, state.buffer.writable ? undefined : 'bad'])
  fillList('state', rows)
}

// The device list follows /status; the chosen device stays chosen while it exists.
function showDeviceChoice(devices) {
  const select = document.getElementById('tag-device')
  const names = Object.keys(devices)
  const current = [...select.options].map((o) => o.value)
  if (current.length === names.length && current.every((n, i) => n === names[i])) return
  const chosen = select.value
  select.replaceChildren(...names.map((name) => { const option = el('option', name); option.value = name; return option }))
  if (names.includes(chosen)) select.value = chosen
}

// At most 200 rows come back (the server caps them): a device with 10,000 tags costs a screenful.
async function showTags() {
  const device = document.getElementById('tag-device').value
  const body = document.querySelector('#tags tbody')
  const count = document.getElementById('tag-count')
  if (device === '') { body.replaceChildren(); count.textContent = ''; return }
  const filter = document.getElementById('tag-filter').value
  const query = new URLSearchParams({ device, filter })
  const response = await fetch(`/status/tags?${query}`, { cache: 'no-store' })
  if (!response.ok) throw new Error(`/status/tags answered ${response.status}`)
  const page = await response.json()
  body.replaceChildren(...page.tags.map((tag) => {
    const row = el('tr')
    const quality = tag.quality === 'good' ? 'good' : tag.quality === 'bad' ? 'bad' : 'warn'
    row.append(rowHead(tag.name), el('td', tag.value ?? 'no value'), el('td', tag.units ?? ''), el('td', tag.quality, quality), el('td', tag.at === null ? '' : new Date(tag.at).toLocaleTimeString()))
    return row
  }))
  count.textContent = page.matching > page.tags.length ? `Showing ${page.tags.length} of ${page.matching} tags: narrow the filter to see the others.` : `${page.matching} tags`
}

async function refresh() {
  const updated = document.getElementById('updated')
  try {
    const response = await fetch('/status', { cache: 'no-store' })
    if (!response.ok) throw new Error(`/status answered ${response.status}`)
    const status = await response.json()
    const now = Date.now()
    showNode(status.node)
    showUpstream(status.upstream)
    showBuffer(status.buffer, now)
    showDevices(status.devices)
    showDeviceChoice(status.devices)
    await showTags()
    showWarnings(status.warnings)
    showState(status.state)
    updated.textContent = `Updated ${new Date(now).toLocaleTimeString()}`
    updated.className = ''
  } catch (error) {
    updated.textContent = `Gateway not reachable: ${error.message}`
    updated.className = 'bad'
  }
  // One request at a time: a slow gateway slows the page, never piles requests up.
  setTimeout(refresh, POLL_MS)
}

let timer = null
// A new filter or device is shown at once, not at the next poll.
function soon() {
  clearTimeout(timer)
  timer = setTimeout(() => showTags().catch(() => {}), 200)
}
document.getElementById('tag-filter').addEventListener('input', soon)
document.getElementById('tag-device').addEventListener('change', soon)

refresh()
