import { EXIT, type Command } from './cli-io'

/** `tunnelwright import`: not built yet in this version. */
export const run: Command = async (_args, io) => {
  io.stderr('tunnelwright import: not available in this version yet.\n')
  return EXIT.failed
}
