// The micrographs table's columns and rows: one definition for the table pages the export
// writes, the newest rows on micrographs.html and the client's sorted / filtered view
// (report.js gets the same rows through the pages' scripts).
import type {MicrographRow, TableRow} from './export-types.js'
import {angstrom, defocusUm, pixels, plain, NONE} from './format.js'

export const COLUMNS: {key: string; label: string; numeric: boolean}[] = [
  {key: 'name', label: 'Micrograph', numeric: false},
  {key: 'defocus', label: 'Defocus (µm)', numeric: true},
  {key: 'astigmatism', label: 'Astigmatism (Å)', numeric: true},
  {key: 'resolution', label: 'Resolution (Å)', numeric: true},
  {key: 'fom', label: 'FOM', numeric: true},
  {key: 'drift', label: 'Total drift (px)', numeric: true},
  {key: 'particles', label: 'Particles', numeric: true},
  {key: 'status', label: 'Status', numeric: false},
]

/** Failed or rejected by curation: what the table calls rejected. */
export const isAccepted = (m: MicrographRow): boolean => m.accepted !== false && m.state !== 'failed'

const made = new WeakMap<MicrographRow, {images: MicrographRow['images']; row: TableRow}>()

/** The row of micrograph `m` (made once per row object and images object: the export keeps both while they do not change). */
export function tableRow(m: MicrographRow): TableRow {
  const known = made.get(m)
  if (known?.images === m.images) return known.row
  const row = makeRow(m)
  made.set(m, {images: m.images, row})
  return row
}

function makeRow(m: MicrographRow): TableRow {
  const defocus = m.ctf ? (m.ctf.defocusU + m.ctf.defocusV) / 2 : null
  const accepted = isAccepted(m)
  const reason = m.state === 'failed' ? `${m.failedStep ?? 'processing'} failed${m.error ? ': ' + m.error : ''}` : (m.rejectReason ?? '')
  return {
    id: m.id,
    name: m.name,
    images: m.images,
    keys: {
      name: m.name,
      defocus,
      astigmatism: m.ctf?.astigmatism ?? null,
      resolution: m.ctf?.resolution ?? null,
      fom: m.ctf?.figureOfMerit ?? null,
      drift: m.motion?.total ?? null,
      particles: m.picks?.count ?? null,
      status: accepted ? 'accepted' : 'rejected',
    },
    text: {
      name: m.name,
      defocus: defocusUm(defocus),
      astigmatism: angstrom(m.ctf?.astigmatism, 0),
      resolution: angstrom(m.ctf?.resolution),
      fom: plain(m.ctf?.figureOfMerit, 3),
      drift: pixels(m.motion?.total),
      particles: m.picks ? String(m.picks.count) : NONE,
      status: accepted ? 'accepted' : 'rejected',
    },
    accepted,
    reason,
  }
}
