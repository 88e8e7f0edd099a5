// Numbers as the report shows them, always with their unit.
export const NONE = '–'

const fixed = (x: number | null | undefined, digits: number, unit: string) =>
  x === null || x === undefined || !Number.isFinite(x) ? NONE : `${x.toFixed(digits)}${unit ? ' ' + unit : ''}`

/** Defocus in um with 2 decimals (input in A). */
export const defocusUm = (a: number | null | undefined) => fixed(a === null || a === undefined ? a : a / 1e4, 2, 'µm')
export const angstrom = (a: number | null | undefined, digits = 1) => fixed(a, digits, 'Å')
export const pixels = (p: number | null | undefined, digits = 2) => fixed(p, digits, 'px')
export const percent = (p: number | null | undefined, digits = 0) => fixed(p, digits, '%')
export const plain = (x: number | null | undefined, digits = 2) => fixed(x, digits, '')

export function bytes(b: number | null | undefined): string {
  if (b === null || b === undefined) return NONE
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
  let i = 0
  while (b >= 1000 && i < units.length - 1) (b /= 1000), i++
  return `${b.toFixed(i === 0 ? 0 : 1)} ${units[i]}`
}

/** UTC, to the second: the report is read in other time zones than the microscope's. */
export function time(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? NONE : new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
}

export function duration(ms: number | null): string {
  if (ms === null || ms < 0) return NONE
  const minutes = Math.floor(ms / 60_000)
  const h = Math.floor(minutes / 60)
  return h > 0 ? `${h} h ${minutes % 60} min` : `${minutes} min ${Math.floor(ms / 1000) % 60} s`
}
