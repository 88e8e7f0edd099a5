// Observable Plot, rendered at build time to SVG markup. Plot needs a DOM to draw into: linkedom
// gives it one (a few ms per chart, against ~10x that for jsdom).
import * as Plot from '@observablehq/plot'
import {parseHTML} from 'linkedom'

const {document} = parseHTML('<!doctype html><html><body></body></html>')

export {Plot}

export interface Chart {
  /** SVG (or figure) markup. */
  html: string
  /** Data points drawn as dots (tests count them). */
  points: number
  /** Summary bins drawn (time bins, histogram bars): bounded whatever the session's size. */
  bins: number
}

/** Renders a plot; `points` is what the chart promises to draw as dots. */
export function render(options: Plot.PlotOptions, points = 0): Chart {
  const element = Plot.plot({width: 600, height: 320, marginLeft: 56, marginBottom: 40, style: {fontSize: '13px'}, ...options, document}) as unknown as {outerHTML: string}
  return {html: element.outerHTML, points, bins: 0}
}

export const empty = (what: string): Chart => ({html: `<p class="empty">No ${what} yet.</p>`, points: 0, bins: 0})
