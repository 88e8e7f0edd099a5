// Nelder-Mead simplex minimisation (standard coefficients), for the few-parameter CTF refinement
// where the objective is smooth but its gradient would cost as much as a dozen evaluations.

export interface NelderMeadOptions {
  maxEvaluations: number
  /** Stop when the simplex's function values span less than this. */
  tolerance: number
}

export function nelderMead(f: (x: number[]) => number, start: number[], steps: number[], opts: NelderMeadOptions): {x: number[]; value: number; evaluations: number} {
  const n = start.length
  let evaluations = 0
  const evaluate = (x: number[]) => {
    evaluations++
    return f(x)
  }
  let simplex = [start, ...steps.map((d, i) => start.map((v, j) => (i === j ? v + d : v)))].map((x) => ({x, v: evaluate(x)}))
  const along = (from: number[], to: number[], t: number) => from.map((v, j) => v + t * (to[j] - v))
  while (evaluations < opts.maxEvaluations) {
    simplex.sort((a, b) => a.v - b.v)
    if (simplex[n].v - simplex[0].v <= opts.tolerance) break
    const centroid = new Array<number>(n).fill(0)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i].x[j] / n
    const worst = simplex[n]
    const reflected = along(centroid, worst.x, -1)
    const vr = evaluate(reflected)
    if (vr < simplex[0].v) {
      const expanded = along(centroid, worst.x, -2)
      const ve = evaluate(expanded)
      simplex[n] = ve < vr ? {x: expanded, v: ve} : {x: reflected, v: vr}
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = {x: reflected, v: vr}
    } else {
      const contracted = vr < worst.v ? along(centroid, worst.x, -0.5) : along(centroid, worst.x, 0.5)
      const vc = evaluate(contracted)
      if (vc < Math.min(vr, worst.v)) {
        simplex[n] = {x: contracted, v: vc}
      } else {
        const best = simplex[0].x
        simplex = simplex.map((p, i) => (i === 0 ? p : {x: along(best, p.x, 0.5), v: evaluate(along(best, p.x, 0.5))}))
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v)
  return {x: simplex[0].x, value: simplex[0].v, evaluations}
}
