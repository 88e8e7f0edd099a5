// The markup of the micrographs table (escaped by the html tag), for the table pages the
// export writes and the newest rows on micrographs.html (Astro) alike.
import type {TableRow} from './export-types.js'
import {NONE} from './format.js'
import {html, type Raw} from './html.js'
import {COLUMNS} from './table-rows.js'

/** The table of `rows`; `base` is the relative path to the site root ('' or '../'). */
export function micrographTable(rows: TableRow[], base: string, attributes: {total: number; pages: number}): Raw {
  const thumb = (src: string | null, extra = '') => (src ? html`<td><img class="${'thumb' + extra}" src="${base + src}" alt="" loading="lazy"></td>` : html`<td>${NONE}</td>`)
  const head = html`<thead><tr><th>Preview</th><th>PSD</th><th>Drift</th>${COLUMNS.map((c) => html`<th data-key="${c.key}"${c.numeric ? html` class="n"` : ''}><button type="button">${c.label}</button></th>`)}<th>Reason</th></tr></thead>`
  const body = rows.map(
    (r) =>
      html`<tr>${thumb(r.images.preview)}${thumb(r.images.psd)}${thumb(r.images.drift, ' drift')}${COLUMNS.map((c) =>
        c.key === 'name'
          ? html`<td><a href="${`${base}micrograph/${r.id}.html`}">${r.name}</a></td>`
          : html`<td${c.numeric ? html` class="n"` : c.key === 'status' ? html` class="${r.text.status}"` : ''}>${r.text[c.key]}</td>`,
      )}<td>${r.reason}</td></tr>`,
  )
  return html`<table id="micrographs" data-total="${attributes.total}" data-pages="${attributes.pages}" data-base="${base}">${head}<tbody>${body}</tbody></table>`
}
