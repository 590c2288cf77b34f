import { EXIT, type Command } from './cli-io'

/** `tunnelwright lint`: not built yet in this version. */
export const run: Command = async (_args, io) => {
  io.stderr('tunnelwright lint: not available in this version yet.\n')
  return EXIT.failed
}
