// Runs a server in this process until SIGINT/SIGTERM (clean stop, snapshots) or a journal failure
// (exit 1 without acknowledging more: reopening from disk is then the truth).
import {startServer, type ControllerServer, type ServeOptions} from './server.js'

export async function serveUntilStopped(options: ServeOptions, ready?: (server: ControllerServer) => Promise<void>): Promise<void> {
  let failed = false
  const server = await startServer({...options, onFatal: () => (failed = true)})
  const stop = () => void server.close()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    await ready?.(server)
  } catch (error) {
    await server.close()
    throw error
  }
  await server.closed
  process.off('SIGINT', stop)
  process.off('SIGTERM', stop)
  if (failed) process.exitCode = 1
}
