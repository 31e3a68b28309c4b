import { defineProject } from "vitest/config"
import { shared } from "../../vitest.shared.js"

const base = shared(import.meta.dirname)

// The CLI tests spawn the built bin: globalSetup (re)builds dist/ when it is missing or stale.
export default defineProject({ ...base, test: { ...base.test, globalSetup: ["./test/globalSetup.ts"] } })
