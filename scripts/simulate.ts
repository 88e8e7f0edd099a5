// `npm run simulate -- --out DIR --truth DIR [...]`: writes a cryo-EM session as a microscope
// does (see scripts/simulator/cli-args.ts USAGE); prints one JSON line per movie written.
import {parseSimulateArgs, SimulateUsageError, USAGE} from './simulator/cli-args.js'
import {runSession} from './simulator/session.js'

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(USAGE)
    return
  }
  const config = parseSimulateArgs(process.argv.slice(2))
  console.error(`simulate: ${config.movies} ${config.format} movies of ${config.session.width}x${config.session.height}x${config.session.frames} into ${config.out} (truth ${config.truth}, gain ${config.gain})`)
  await runSession(
    config,
    (m) => console.log(JSON.stringify(m)),
    (warning) => console.error(`simulate: ${warning}`),
  )
}

main().catch((e: unknown) => {
  if (e instanceof SimulateUsageError || (e as {code?: string}).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`simulate: ${(e as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  console.error(`simulate: ${(e as Error).stack ?? e}`)
  process.exit(1)
})
