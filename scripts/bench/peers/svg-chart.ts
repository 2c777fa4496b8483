/** A line chart as SVG text, one line per series, with axes, ticks and a legend; no dependency. */

export interface Series {
  readonly name: string
  readonly points: readonly (readonly [number, number])[]
}

export interface ChartText {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
}

const WIDTH = 720
const HEIGHT = 400
const MARGIN = { left: 64, right: 150, top: 40, bottom: 48 }
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e']

/** 0 and a round step that gives about five ticks up to at least `max`. */
function ticks(max: number): number[] {
  const raw = Math.max(max, 1e-9) / 5
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!
  const out: number[] = []
  for (let t = 0; t <= max + step * 0.999; t += step) out.push(Number(t.toPrecision(12)))
  return out
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function lineChart(series: readonly Series[], text: ChartText): string {
  const all = series.flatMap((s) => s.points)
  const xTicks = ticks(Math.max(...all.map((p) => p[0])))
  const yTicks = ticks(Math.max(...all.map((p) => p[1])))
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (v: number) => Number((MARGIN.left + (v / xTicks.at(-1)!) * plotW).toFixed(1))
  const y = (v: number) => Number((MARGIN.top + plotH - (v / yTicks.at(-1)!) * plotH).toFixed(1))
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escape(text.title)}</text>`,
  ]
  for (const t of yTicks) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`)
    out.push(`<text x="${MARGIN.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`)
  }
  for (const t of xTicks) out.push(`<text x="${x(t)}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${t}</text>`)
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="black"/>`)
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="black"/>`)
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(text.xLabel)}</text>`)
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(text.yLabel)}</text>`)
  for (const [i, s] of series.entries()) {
    const colour = COLOURS[i % COLOURS.length]
    const path = s.points.map((p) => `${x(p[0])},${y(p[1])}`).join(' ')
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>`)
    const ly = MARGIN.top + 10 + i * 20
    out.push(`<line x1="${WIDTH - MARGIN.right + 12}" x2="${WIDTH - MARGIN.right + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`)
    out.push(`<text x="${WIDTH - MARGIN.right + 42}" y="${ly + 4}">${escape(s.name)}</text>`)
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}
