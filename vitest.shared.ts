import * as path from "node:path"
import type { ViteUserConfig } from "vitest/config"

/** Shared vitest settings for every workspace package: resolve workspace packages to their sources. */
export const shared = (dirname: string): ViteUserConfig => ({
  resolve: {
    conditions: ["@nanogen/source", "import", "module", "node", "default"]
  },
  ssr: {
    resolve: {
      conditions: ["@nanogen/source", "import", "module", "node", "default"],
      externalConditions: ["@nanogen/source"]
    }
  },
  test: {
    name: path.basename(dirname),
    root: dirname,
    include: ["test/**/*.test.ts"],
    setupFiles: [path.join(import.meta.dirname, "vitest.setup.ts")],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
