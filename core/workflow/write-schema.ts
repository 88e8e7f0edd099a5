// `npx tsx core/workflow/write-schema.ts`: regenerates workflows/workflow.schema.json from schema.ts
// (a test fails when the committed file is out of date).
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {SCHEMA_FILE_NAME, workflowsDir} from './files.js'
import {workflowJsonSchemaText} from './json-schema.js'

const file = join(workflowsDir(), SCHEMA_FILE_NAME)
writeFileSync(file, workflowJsonSchemaText())
console.log(`wrote ${file}`)
