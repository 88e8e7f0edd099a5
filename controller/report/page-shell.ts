// What every report page shares: the header (project, session state, refresh bar while live)
// and the navigation. The Astro layout (report-site/src/layouts/Page.astro) and the
// per-micrograph pages the export writes (micrograph-page.ts) both use it.
import type {SessionStateName} from './export-types.js'
import {time} from './format.js'
import {html, type Raw} from './html.js'

export const NAV_LINKS: [href: string, label: string][] = [
  ['index.html', 'Overview'],
  ['ctf.html', 'CTF'],
  ['motion.html', 'Motion'],
  ['picking.html', 'Picking'],
  ['system.html', 'System'],
  ['micrographs.html', 'Micrographs'],
]

export interface ShellOptions {
  projectTitle: string
  /** null on pages made once per micrograph: report.js fills it in from data/session.js. */
  session: SessionStateName | null
  /** When what the page shows was last updated (ms). */
  updatedAt: number
  /** Relative path to the site root ('' or '../'): links work from file:// and any sub-folder. */
  base: string
  /** The navigation entry to mark as current. */
  nav?: string
}

/** The header and navigation, escaped. The refresh bar is there while the session may be live. */
export function pageHeader(o: ShellOptions): Raw {
  const state = o.session === null ? html`<span id="session-state"></span>` : html`Session ${o.session} · `
  return html`<header><h1>${o.projectTitle}</h1><span class="state">${state}updated ${time(o.updatedAt)}</span>${
    o.session !== 'closed' && html`<span class="refresh" id="refresh" hidden>Auto-refresh every 60 s <button type="button" id="refresh-toggle">Pause</button></span>`
  }</header><nav>${NAV_LINKS.map(([href, label]) => html`<a href="${o.base + href}"${o.nav === href ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>`
}

/** A whole page around `main` (the markup of its <main>). */
export function pageDocument(o: ShellOptions & {title: string; main: Raw}): string {
  const session = o.session === null ? html`<script src="${o.base}data/session.js"></script>` : null
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${o.title} – ${o.projectTitle}</title><link rel="stylesheet" href="${o.base}report.css"></head><body${o.session === null ? '' : html` data-session="${o.session}"`}>${pageHeader(o)}<main>${o.main}</main>${session}<script src="${o.base}report.js"></script></body></html>`.html
}
