// The site's files the export makes per micrograph or table page (images, micrograph pages,
// table pages and their scripts), listed from the export's manifests, each with a key that
// changes whenever the file does: a build carries the previous build's files over and links in
// only those whose key changed (site-sync.ts).
import {join} from 'node:path'
import {ASSET_KINDS, ASSET_MANIFEST, assetFile, IMAGES, readJsonFile, type AssetManifest} from './assets.js'
import {readManifest} from './page-set.js'
import {PAGES, PAGES_MANIFEST} from './pages.js'
import {TABLE, TABLE_MANIFEST, TABLE_PAGES} from './table-pages.js'

/** Site folder of the micrograph pages (the export writes them; Astro makes the summary pages). */
export const MICROGRAPH_PAGES = 'micrograph'

/** Site folders of these files, each the mirror of a data folder. */
export const MIRRORED: {data: string; site: string}[] = [
  {data: IMAGES, site: IMAGES},
  {data: PAGES, site: MICROGRAPH_PAGES},
  {data: TABLE, site: TABLE_PAGES},
]

export interface SiteFile {
  /** Data-folder-relative path of the file to link. */
  source: string
  key: string
}

/** Site-relative path -> its source and key, for every such file the last export made. */
export async function listSiteFiles(dataDir: string): Promise<Map<string, SiteFile>> {
  const files = new Map<string, SiteFile>()
  const images = await readJsonFile<AssetManifest>(join(dataDir, ASSET_MANIFEST), {})
  for (const [id, entry] of Object.entries(images)) {
    for (const kind of ASSET_KINDS) if (entry[kind]) files.set(`${IMAGES}/${assetFile(id, kind)}`, {source: `${IMAGES}/${assetFile(id, kind)}`, key: entry.stamp})
  }
  for (const {data, site, manifest} of [{data: PAGES, site: MICROGRAPH_PAGES, manifest: PAGES_MANIFEST}, {data: TABLE, site: TABLE_PAGES, manifest: TABLE_MANIFEST}]) {
    for (const [name, key] of Object.entries(readManifest(join(dataDir, manifest)))) files.set(`${site}/${name}`, {source: `${data}/${name}`, key})
  }
  return files
}
