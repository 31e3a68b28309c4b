/** Builds the packages the documentation uses when their `dist/` is missing or stale (see scripts/build-stale.ts). */
import { buildOrder, buildStale } from "../../scripts/build-stale.js"

export default function setup() {
  buildStale(buildOrder(["@nanogen/cli", "@nanogen/client", "@nanogen/emulator"]))
}
