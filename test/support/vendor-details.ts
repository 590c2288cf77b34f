// Details for the vendor renderer tests: resolved render inputs with AWS-shaped PSKs, per variant.
import { Details } from '../../main/core/details/model'
import { toRenderInput, type RenderInput } from '../../main/core/details/resolve'
import type { RoutingMode } from '../../main/core/base/vocabulary'
import { toDetailsDoc, type Doc } from './details-doc'

export { PSK1, PSK2 } from './details-doc'

/** A parsed details document (defaults filled) from the shared test document, changed by `over`. */
export function toVendorDetails(over: (d: Doc) => void = () => {}): Details {
  return Details.parse(toDetailsDoc(over))
}

/** A render input for `routing`, PSKs inline. */
export function toVendorInput(details: Details, routing: RoutingMode): RenderInput {
  return toRenderInput(details, { routing, sources: { env: {}, readFile: () => '' } })
}
