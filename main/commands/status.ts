import { EXIT, type Command } from './cli-io'

/** `tunnelwright status`: not built yet in this version. */
export const run: Command = async (_args, io) => {
  io.stderr('tunnelwright status: not available in this version yet.\n')
  return EXIT.failed
}
