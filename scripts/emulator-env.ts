/**
 * The environment that points every nanogen backend variable at an emulator: what the CLI tests and the doc tests
 * give the processes they spawn, and what the client tests configure `Nanogen.layerConfig` from.
 */
export const emulatorEnv = (emulator: {
  readonly urls: { readonly openrouter: string; readonly google: string; readonly aimlapi: string }
  readonly keys: { readonly openrouter: string; readonly google: string; readonly aimlapi: string }
}): Record<string, string> => ({
  OPENROUTER_API_KEY: emulator.keys.openrouter,
  OPENROUTER_API_URL: emulator.urls.openrouter,
  GEMINI_API_KEY: emulator.keys.google,
  GEMINI_API_URL: emulator.urls.google,
  AIML_API_KEY: emulator.keys.aimlapi,
  AIML_API_URL: emulator.urls.aimlapi
})
