/**
 * Checks run inside a page (Tab.evaluate): each export is a JavaScript expression, so the page's
 * own computed styles are what is measured, as the browser renders them.
 */

/**
 * WCAG 2 AA text contrast: every element with visible text, its computed colour against its
 * effective background (the background colours of it and its ancestors laid over each other,
 * over white, the canvas of a light page), needs 4.5:1, or 3:1 for large text (24 px, or 18.66 px
 * bold). Evaluates to the failures: text, colours, ratio, needed ratio.
 */
export const contrastFailures = `(() => {
  const rgba = (text) => { const [r, g, b, a = 1] = text.match(/[\\d.]+/g).map(Number); return [r, g, b, a] }
  const over = (top, bottom) => { const a = top[3]; return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1) }
  const luminance = ([r, g, b]) => { const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4 }; return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b) }
  const background = (element) => {
    const layers = []
    for (let e = element; e !== null; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor)
      if (colour[3] > 0) layers.push(colour)
      if (colour[3] >= 1) break
    }
    return layers.reduceRight((under, layer) => over(layer, under), [255, 255, 255, 1])
  }
  const failures = []
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  const seen = new Set()
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    const element = node.parentElement
    if (node.data.trim() === '' || seen.has(element)) continue
    seen.add(element)
    const style = getComputedStyle(element)
    if (style.visibility !== 'visible' || element.getClientRects().length === 0) continue
    const back = background(element)
    const text = over(rgba(style.color), back)
    const [light, dark] = [luminance(text), luminance(back)].sort((a, b) => b - a)
    const ratio = (light + 0.05) / (dark + 0.05)
    const size = parseFloat(style.fontSize)
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700)
    const needed = large ? 3 : 4.5
    if (ratio < needed) failures.push({ text: node.data.trim().slice(0, 40), color: style.color, background: 'rgb(' + back.slice(0, 3).map(Math.round).join(', ') + ')', ratio: Math.round(ratio * 100) / 100, needed })
  }
  return failures
})()`

/** The focused element, named by its id or else its tag and text; 'body' when nothing has focus. */
export const focusedName = `(() => {
  const e = document.activeElement
  if (e === null || e === document.body) return 'body'
  if (e.id !== '') return '#' + e.id
  const labelled = e.querySelector('table')
  return e.tagName.toLowerCase() + (labelled !== null ? '>#' + labelled.id : ':' + e.textContent.trim().slice(0, 20))
})()`

/** The focus ring of the focused element: outline and box-shadow as computed. */
export const focusRing = `(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' | ' + s.boxShadow })()`
