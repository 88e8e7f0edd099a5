#!/usr/bin/env node
// Runs the compiled commands (built by `npm install` through `prepare`, or `npm run build`).
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
