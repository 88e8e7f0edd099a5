// Where the export's per-micrograph files (images, micrograph pages, table pages and their
// scripts) go in the site: each of their data folders is mirrored by a site folder.
import {IMAGES} from './assets.js'
import {PAGES} from './pages.js'
import {TABLE, TABLE_PAGES} from './table-pages.js'

/** Site folder of the micrograph pages (the export writes them; Astro makes the summary pages). */
export const MICROGRAPH_PAGES = 'micrograph'

/** Site folders of these files, each the mirror of a data folder. */
export const MIRRORED: {data: string; site: string}[] = [
  {data: IMAGES, site: IMAGES},
  {data: PAGES, site: MICROGRAPH_PAGES},
  {data: TABLE, site: TABLE_PAGES},
]

/** The site-relative path of a data-relative one (`pages/3.html` -> `micrograph/3.html`), undefined outside the mirrored folders. */
export function sitePath(dataPath: string): string | undefined {
  const slash = dataPath.indexOf('/')
  const mirror = MIRRORED.find((m) => m.data === dataPath.slice(0, slash))
  return mirror && `${mirror.site}${dataPath.slice(slash)}`
}
