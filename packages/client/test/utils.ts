/**
 * What the client's emulator tests share: the environment a deployment would set, pointed at the emulator, the
 * configured chain built from it, and what `describe` says of the built-in OpenRouter backend.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { Nanogen } from "@nanogen/client"
import type { ImageProvider } from "@nanogen/core"
import type * as Emulator from "@nanogen/emulator"
import type { ConfigError } from "effect"
import { ConfigProvider, Layer } from "effect"
import { emulatorEnv } from "../../../scripts/emulator-env.js"

export { emulatorEnv }

/** The environment a deployment would set: `NANOGEN_PROVIDERS`, then every backend's key and URL at the emulator. */
export const deploymentEnv = (
  emu: Emulator.Emulator,
  providers: string,
  extra: Record<string, string> = {}
): Record<string, string> => ({ NANOGEN_PROVIDERS: providers, ...emulatorEnv(emu), ...extra })

/**
 * The configured chain (`Nanogen.layerConfigWith`: private addresses allowed for the emulator, no health,
 * `attempts` per backend, 1 unless given), configured from `deploymentEnv`.
 */
export const emulatedChain = (
  emu: Emulator.Emulator,
  providers: string,
  options: { readonly env?: Record<string, string>; readonly attempts?: number } = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Nanogen.layerConfigWith({ allowPrivateNetwork: true, fallback: { attempts: options.attempts ?? 1, health: false } })
    .pipe(
      Layer.provide(
        Layer.setConfigProvider(
          ConfigProvider.fromMap(new Map(Object.entries(deploymentEnv(emu, providers, options.env))))
        )
      )
    )

/** What `describe` says of the built-in OpenRouter backend (the first of the registry) at `position`, its key set. */
export const describedOpenRouter = (position: number): Nanogen.ProviderDescription => ({
  position,
  name: "openrouter",
  description: Nanogen.builtins[0]!.description,
  apiUrl: "https://openrouter.ai/api/v1",
  apiKey: "<redacted>",
  keyVariables: "OPENROUTER_API_KEY",
  urlVariable: "OPENROUTER_API_URL"
})
