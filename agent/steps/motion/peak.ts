// Peak of a cross-correlation map (origin at pixel 0, wrapped): integer maximum inside a search
// window, refined per axis by the vertex of the parabola through the maximum and its two
// neighbours (RELION's "quadratic interpolation by Jasenko").

export interface Peak {
  x: number
  y: number
  value: number
}

/** ccf: width x height, row-major, shift (0, 0) at index 0; searched for |dx|, |dy| <= range. */
export function findPeak(ccf: Float32Array, width: number, height: number, range: number): Peak {
  const rx = Math.min(Math.floor(range), Math.floor(width / 2) - 1)
  const ry = Math.min(Math.floor(range), Math.floor(height / 2) - 1)
  let best = -Infinity
  let px = 0
  let py = 0
  for (let dy = -ry; dy <= ry; dy++) {
    const row = wrap(dy, height) * width
    for (let dx = -rx; dx <= rx; dx++) {
      const v = ccf[row + wrap(dx, width)]
      if (v > best) {
        best = v
        px = dx
        py = dy
      }
    }
  }
  const at = (dx: number, dy: number) => ccf[wrap(dy, height) * width + wrap(dx, width)]
  return {
    x: px + parabolaVertex(at(px - 1, py), best, at(px + 1, py)),
    y: py + parabolaVertex(at(px, py - 1), best, at(px, py + 1)),
    value: best,
  }
}

/** Offset (-0.5..0.5 for a true maximum) of the vertex of the parabola through (-1, a), (0, b), (1, c). */
export function parabolaVertex(a: number, b: number, c: number): number {
  const curvature = a + c - 2 * b
  if (!(Math.abs(curvature) > 1e-30)) return 0
  const offset = (0.5 * (a - c)) / curvature
  return Math.max(-0.5, Math.min(0.5, offset))
}

function wrap(i: number, n: number): number {
  return i < 0 ? i + n : i
}
