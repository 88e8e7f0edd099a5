// The report: a static site built from the controller's export (EMSTREAM_REPORT_DATA = the
// data folder). Plain files with relative links, inlined CSS: works offline, from file://
// and from any static web server.
import {defineConfig} from 'astro/config'

export default defineConfig({
  output: 'static',
  build: {format: 'file', inlineStylesheets: 'always', assets: 'assets'},
  trailingSlash: 'never',
  compressHTML: true,
  devToolbar: {enabled: false},
  telemetry: false,
  logLevel: 'warn',
})
