/**
 * Builds the workspace packages the CLI needs when their `dist/` is missing or older than their sources, so the
 * CLI tests spawn the real, built `nanogen` bin exactly as a user runs it.
 */
import { buildOrder, buildStale } from "../../../scripts/build-stale.js"

export default function setup() {
  buildStale(buildOrder(["@nanogen/cli"]))
}
