/** Shared by the fallback tests: mock providers and the fallback over them. */
import { type Duration, Effect } from "effect"
import { Fallback, ImageProviderTest } from "../src/index.js"

/** Builds mock providers and the fallback over them; returns the service and each mock's call count. */
export const setup = (
  mocks: ReadonlyArray<
    {
      readonly name: string
      readonly respond?: ReadonlyArray<ImageProviderTest.Outcome>
      readonly delay?: Duration.DurationInput
    }
  >,
  options: Fallback.Options = {}
) =>
  Effect.gen(function*() {
    const built = yield* Effect.forEach(mocks, (mock) => ImageProviderTest.make(mock))
    const fallback = yield* Fallback.make(built.map((b) => b.provider), { backoff: { jitter: 0 }, ...options })
    const calls = (index: number) => Effect.map(built[index]!.recorder.requests, (requests) => requests.length)
    return { fallback, calls }
  })
