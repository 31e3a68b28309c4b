import { defineProject } from "vitest/config"
import { shared } from "../../vitest.shared.js"

const base = shared(import.meta.dirname)

// The CLI tests spawn the built bin: globalSetup (re)builds dist/ when it is missing or stale. A test may start the
// bin ten times over, each a fresh Node process: on a loaded machine that takes far longer than one in-process
// call, hence the longer deadline (a deadline, not a measurement: nothing here depends on speed).
export default defineProject({
  ...base,
  test: { ...base.test, testTimeout: 180_000, globalSetup: ["./test/globalSetup.ts"] }
})
