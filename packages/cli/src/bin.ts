#!/usr/bin/env node
/**
 * The `nanogen` executable: runs `Cli.run` on `process.argv` and exits 0 (success), 1 (generation failed) or 2
 * (usage or configuration error). Expected failures print their own lines, never a stack trace.
 *
 * @since 0.1.0
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Cli from "./Cli.js"

const program = Cli.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  Effect.tapErrorCause((cause) => {
    // Expected failures (CliFailure, ValidationError) were already printed; anything else is a bug: show it.
    const failure = Cause.failureOption(cause)
    const expected = Option.isSome(failure) &&
      (failure.value instanceof Cli.CliFailure || ValidationError.isValidationError(failure.value))
    return expected || Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Effect.sync(() => process.stderr.write(`unexpected error: ${Cause.pretty(cause)}\n`))
  })
)

NodeRuntime.runMain(program, {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    const code = Cli.exitCodeOf(exit)
    process.exitCode = code
    onExit(code)
  }
})
