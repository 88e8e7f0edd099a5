// Flags every controller command takes, and turning user-actionable errors into exit code 2.
import {Flags, type Command} from '@oclif/core'

export const dirFlag = Flags.string({
  description: 'projects folder (default: $EMSTREAM_PROJECTS, else ~/emstream-projects)',
})

export const nameFlag = Flags.string({description: 'project name', required: true})

/** Runs body; a WorkflowError or ProjectError becomes its message and exit 2, anything else propagates. */
export async function userErrors<T>(command: Command, body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    if (error instanceof Error && (error.name === 'WorkflowError' || error.name === 'ProjectError')) command.error(error.message, {exit: 2})
    throw error
  }
}
