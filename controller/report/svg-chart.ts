// Small line charts for the per-micrograph pages, as plain SVG strings: 20,000 charts through
// Plot and a DOM would take minutes; these take microseconds, and are made once per micrograph.

export interface Series {
  points: [number, number][]
  color: string
  label: string
  /** Draw the points as dots too. */
  dots?: boolean
}

export interface MiniChartOptions {
  xLabel: string
  yLabel: string
  width?: number
  height?: number
  /** Same scale on both axes (trajectories). */
  equalAxes?: boolean
  /** Vertical marker at this x, with a label. */
  marker?: {x: number; label: string}
}

const M = {left: 56, right: 12, top: 22, bottom: 40}

function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1
  const step0 = span / count
  const mag = 10 ** Math.floor(Math.log10(step0))
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= step0) ?? 10 * mag
  const out: number[] = []
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(Number(t.toPrecision(12)))
  return out
}

function extent(values: number[]): [number, number] {
  let lo = Infinity
  let hi = -Infinity
  for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v))
  if (!Number.isFinite(lo)) return [0, 1]
  if (lo === hi) return [lo - 1, hi + 1]
  return [lo, hi]
}

// One decimal of an SVG unit is finer than a screen pixel (and toFixed is slow at 10k pages).
const f = (x: number) => String(Math.round(x * 10) / 10)

export function miniChart(series: Series[], o: MiniChartOptions): string {
  const width = o.width ?? 420
  const height = o.height ?? 300
  const all = series.flatMap((s) => s.points)
  let [x0, x1] = extent(all.map((p) => p[0]))
  let [y0, y1] = extent(all.map((p) => p[1]))
  const pw = width - M.left - M.right
  const ph = height - M.top - M.bottom
  if (o.equalAxes) {
    const scale = Math.max((x1 - x0) / pw, (y1 - y0) / ph)
    const cx = (x0 + x1) / 2
    const cy = (y0 + y1) / 2
    ;[x0, x1] = [cx - (scale * pw) / 2, cx + (scale * pw) / 2]
    ;[y0, y1] = [cy - (scale * ph) / 2, cy + (scale * ph) / 2]
  }
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * pw
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="mini" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" font-size="11" font-family="system-ui, sans-serif">`]
  for (const t of ticks(x0, x1)) parts.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${M.top}" y2="${M.top + ph}" stroke="#eee"/><text x="${f(sx(t))}" y="${M.top + ph + 14}" text-anchor="middle">${t}</text>`)
  for (const t of ticks(y0, y1)) parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#eee"/><text x="${M.left - 6}" y="${f(sy(t)) }" dy="0.32em" text-anchor="end">${t}</text>`)
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`)
  parts.push(`<text x="${M.left + pw / 2}" y="${height - 6}" text-anchor="middle">${o.xLabel}</text>`)
  parts.push(`<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${o.yLabel}</text>`)
  if (o.marker && o.marker.x > x0 && o.marker.x < x1) {
    const x = f(sx(o.marker.x))
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" stroke="#c44e52" stroke-dasharray="4 3"/><text x="${x}" y="${M.top - 6}" text-anchor="middle" fill="#c44e52">${o.marker.label}</text>`)
  }
  series.forEach((s, i) => {
    parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(' ')}"/>`)
    if (s.dots) for (const [x, y] of s.points) parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="2" fill="${s.color}"/>`)
    parts.push(`<text x="${M.left + 8}" y="${M.top + 14 + 14 * i}" fill="${s.color}">${s.label}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}
