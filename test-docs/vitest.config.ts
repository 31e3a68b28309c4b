import { defineProject } from "vitest/config"
import { shared } from "../vitest.shared.js"

const base = shared(import.meta.dirname)

// The doc tests compile against and run the built dist/ of every package, as a user of the packages would:
// globalSetup (re)builds dist/ when it is missing or older than the sources.
export default defineProject({
  ...base,
  test: { ...base.test, globalSetup: ["./test/globalSetup.ts"], testTimeout: 120_000 }
})
