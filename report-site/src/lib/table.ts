// The micrographs table's columns: one definition for the server-rendered pages and the
// client's sorted / filtered view (report.js gets the same cells through micrographs.js).
import type {SiteMicrograph} from './data.ts'
import {angstrom, defocusUm, pixels, plain, NONE} from '../../../controller/report/format.ts'

export interface Cells {
  id: number
  name: string
  preview: string | null
  psd: string | null
  drift: string | null
  /** Sort keys (numbers; null sorts last) and shown text per column. */
  keys: Record<string, number | string | null>
  text: Record<string, string>
  accepted: boolean
  reason: string
}

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

export function cells(m: SiteMicrograph): Cells {
  const defocus = m.ctf ? (m.ctf.defocusU + m.ctf.defocusV) / 2 : null
  const accepted = m.accepted !== false && m.state !== 'failed'
  const reason = m.state === 'failed' ? `${m.failedStep ?? 'processing'} failed${m.error ? ': ' + m.error : ''}` : (m.rejectReason ?? '')
  return {
    id: m.id,
    name: m.name,
    preview: m.images.preview,
    psd: m.images.psd,
    drift: m.images.drift,
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
