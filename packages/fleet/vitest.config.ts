import { defineProject } from "vitest/config"
import { shared } from "../../vitest.shared.js"

const base = shared(import.meta.dirname)

// The tests run against a real redis-server (the Debian package) that globalSetup starts on a free loopback port.
export default defineProject({ ...base, test: { ...base.test, globalSetup: ["./test/globalSetup.ts"] } })
