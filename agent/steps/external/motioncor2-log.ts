// Global shifts out of MotionCor2 / MotionCor3 output, in the forms their versions print:
// stdout after "Full-frame alignment shift" as "...... Frame (  1) shift:    0.00    0.00"
// (the lines RELION's getShiftsMotioncor2 reads, sign unchanged), or MotionCor2 1.6.4's table
// ("Frame   x Shift   y Shift" then "  1   0.00   0.00"); and the <root>[0]-Patch-Full.log
// ('#' comments, then frame, shift x, shift y).
import {ExternalProgramError} from './errors.js'

const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`
const CLASSIC = new RegExp(String.raw`Frame\s*\(\s*(\d+)\s*\)\s*shift:\s*(${NUMBER})\s+(${NUMBER})`)
const TABLE = new RegExp(String.raw`^\s*(\d+)\s+(${NUMBER})\s+(${NUMBER})\s*$`)

/** Shifts (px, RELION's sign) from stdout; undefined when stdout has no shift table. */
export function parseMotionCorStdout(stdout: string): [number, number][] | undefined {
  const lines = stdout.split(/\r?\n/)
  const start = lines.findIndex((l) => l.trim().startsWith('Full-frame alignment shift'))
  if (start < 0) return undefined
  const shifts: [number, number][] = []
  for (const line of lines.slice(start + 1)) {
    if (/Frame\s+x Shift\s+y Shift/i.test(line) || (shifts.length === 0 && line.trim() === '')) continue
    const m = CLASSIC.exec(line) ?? TABLE.exec(line)
    if (!m) break
    shifts.push([Number(m[2]), Number(m[3])])
  }
  return shifts.length ? shifts : undefined
}

export function parsePatchFullLog(text: string, file: string): [number, number][] {
  const shifts: [number, number][] = []
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const words = line.trim().split(/\s+/).map(Number)
    if (words.length < 3 || words.some((w) => Number.isNaN(w))) {
      throw new ExternalProgramError('MotionCor2', 'unparseable', `${file}: expected "frame shift_x shift_y", got ${JSON.stringify(line)}`)
    }
    shifts.push([words[words.length - 2], words[words.length - 1]])
  }
  return shifts
}
