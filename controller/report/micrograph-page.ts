// One page per micrograph (micrograph/<id>.html): preview with the picks toggled by a checkbox (no
// JavaScript needed), PSD, the CTF curve of the fit, the drift trajectory and the result history
// (every run of every step at every version, the current one marked). Written by the export
// from a template, not by Astro: 10,000 pages through Astro took most of a rebuild.
import type {MicrographRow, PicksFile, Provenance} from './export-types.js'
import {angstrom, defocusUm, duration, pixels, plain, time, NONE} from './format.js'
import {html, raw, type Html, type Raw} from './html.js'
import {pageDocument} from './page-shell.js'

export interface MicrographPageInput {
  row: MicrographRow
  /** Its runs (row.runs resolved). */
  runs: Provenance[]
  projectTitle: string
  picks: PicksFile | null
  /** The export's SVG charts (our own markup), null when not made. */
  ctfChart: string | null
  driftChart: string | null
}

export function micrographPage(p: MicrographPageInput): string {
  const {row} = p
  return pageDocument({
    title: row.name,
    projectTitle: p.projectTitle,
    // Not the session's state: that would make every page again when it changes (report.js shows it).
    session: null,
    updatedAt: lastChange(row, p.runs),
    base: '../',
    nav: 'micrographs.html',
    main: html`<h2>${row.name}</h2>${status(row)}${viewer(p)}<div class="grid">${ctfSection(p)}${motionSection(p)}</div><h2>Provenance and result history</h2>${history(p.runs)}`,
  })
}

/** The newest time anything on the page changed: what "updated" means here. */
export function lastChange(row: MicrographRow, runs: Provenance[]): number {
  let at = row.foundAt
  for (const t of [row.motion?.finishedAt, row.ctf?.finishedAt, row.picks?.finishedAt, ...runs.map((r) => r.endedAt ?? r.startedAt)]) if (typeof t === 'number' && t > at) at = t
  return at
}

function status(row: MicrographRow): Raw {
  const rejected = row.accepted === false || row.state === 'failed'
  return html`<p><span class="${rejected ? 'rejected' : 'accepted'}">${rejected ? 'Rejected' : 'Accepted'}</span>${row.rejectReason && ` – ${row.rejectReason}`}${
    row.state === 'failed' && ` – ${row.failedStep ?? 'processing'} failed${row.error ? ': ' + row.error : ''}`
  } · found ${time(row.foundAt)}</p>`
}

function viewer({row, picks}: MicrographPageInput): Raw {
  if (!row.images.preview) return html`<p class="empty">No preview yet.</p>`
  const radius = row.picks?.meanDiameter && row.motion ? row.picks.meanDiameter / row.motion.pixelSize / 2 : 50
  const toggle = picks && html`<input type="checkbox" id="show-picks" checked> <label for="show-picks">Show picks (${picks.coordinates.length})</label>`
  const overlay = picks && picksOverlay(picks, radius)
  return html`<div>${toggle}<div class="viewer"><img src="${'../' + row.images.preview}" alt="${`Micrograph ${row.name}`}">${overlay}</div></div>`
}

function picksOverlay(picks: PicksFile, radius: number): Raw {
  const stroke = Math.max(2, picks.width / 400)
  const circles = picks.coordinates.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="${radius}" fill="none" stroke="#3cdc5a" stroke-width="${stroke}"></circle>`).join('')
  return html`<svg viewBox="${`0 0 ${picks.width} ${picks.height}`}" preserveAspectRatio="none" class="picks">${raw(circles)}</svg>`
}

function ctfSection({row, ctfChart}: MicrographPageInput): Raw {
  const c = row.ctf
  const optional = (label: string, value: Html, shown: boolean) => shown && html`<dt>${label}</dt><dd>${value}</dd>`
  return html`<section><h2>CTF</h2><dl class="kv">
<dt>Defocus U / V</dt><dd>${defocusUm(c?.defocusU)} / ${defocusUm(c?.defocusV)}</dd>
<dt>Astigmatism</dt><dd>${angstrom(c?.astigmatism, 0)} at ${c ? `${c.defocusAngle.toFixed(1)}°` : NONE}</dd>
<dt>Phase shift</dt><dd>${c ? `${c.phaseShift.toFixed(1)}°` : NONE}</dd>
<dt>Fit resolution</dt><dd>${angstrom(c?.resolution)}</dd>
<dt>Figure of merit</dt><dd>${plain(c?.figureOfMerit, 3)}</dd>
${optional('Nominal defocus', defocusUm(row.nominalDefocus), row.nominalDefocus !== null)}${optional('Grid square', row.gridSquare, row.gridSquare !== null)}</dl>
${row.images.psd ? html`<img class="psd" src="${'../' + row.images.psd}" alt="Power spectrum with the CTF fit">` : html`<p class="empty">No PSD yet.</p>`}
${ctfChart && html`<figure class="chart"><figcaption>CTF² of the fit (1D)</figcaption>${raw(ctfChart)}</figure>`}</section>`
}

function motionSection({row, driftChart}: MicrographPageInput): Raw {
  const m = row.motion
  const particles = row.picks ? `${row.picks.count}${row.picks.meanDiameter ? ` (mean diameter ${angstrom(row.picks.meanDiameter, 0)})` : ''}` : NONE
  return html`<section><h2>Motion</h2><dl class="kv">
<dt>Total / early / late drift</dt><dd>${pixels(m?.total)} / ${pixels(m?.early)} / ${pixels(m?.late)}</dd>
<dt>Frames</dt><dd>${m ? `${m.frames} × ${m.dosePerFrame} e⁻/Å²` : NONE}</dd>
<dt>Pixel size</dt><dd>${m ? `${m.pixelSize} Å/px` : NONE}</dd>
<dt>Particles</dt><dd>${particles}</dd></dl>
${m && driftChart ? html`<figure class="chart" data-points="${m.shifts.length}"><figcaption>Drift trajectory (px)</figcaption>${raw(driftChart)}</figure>` : html`<p class="empty">No motion result yet.</p>`}</section>`
}

function history(runs: Provenance[]): Raw {
  if (runs.length === 0) return html`<p class="empty">No step has run.</p>`
  const head = html`<thead><tr><th>Step</th><th class="n">Version</th><th>Result</th><th>Program</th><th>State</th><th>Host</th><th>Started</th><th class="n">Took</th><th>Command and parameters</th></tr></thead>`
  return html`<table class="provenance">${head}<tbody>${runs.map(runRow)}</tbody></table>`
}

function runRow(r: Provenance): Raw {
  const rowClass = r.current ? 'current' : r.state === 'done' ? 'earlier' : null
  const took = r.startedAt !== null && r.endedAt !== null ? duration(r.endedAt - r.startedAt) : NONE
  return html`<tr${rowClass && html` class="${rowClass}"`} data-step="${r.step}" data-version="${r.version}">
<td>${r.step}${r.attempt > 1 && ` (attempt ${r.attempt})`}</td><td class="n">v${r.version}</td>
<td>${r.current ? html`<strong>current</strong>` : r.state === 'done' ? 'earlier' : NONE}</td>
<td>${r.program ?? NONE} ${r.programVersion ?? ''}</td><td>${r.state}${r.error && html`<div class="rejected">${r.error}</div>`}</td>
<td>${r.host ?? NONE}</td><td>${time(r.startedAt)}</td><td class="n">${took}</td>
<td>${r.argv && html`<code>${r.argv.join(' ')}</code>`}${r.parameters && html`<details><summary>Parameters</summary><pre>${r.parameters.replaceAll('","', '", "')}</pre></details>`}</td></tr>`
}
