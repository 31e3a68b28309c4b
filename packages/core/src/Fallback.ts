/**
 * Fallback composition: one `ImageProvider` that tries several backends in order, with retries, backoff that
 * honours `Retry-After`, per-attempt timeouts, an overall deadline, provider health (cooldown + probe), the
 * trail of every attempt, spans, metrics and debug logs. With the services in the context it also keeps request
 * budgets (`RateLimits`), serves repeats from a `ResultCache` and holds a `SpendCap` — in memory, or for a whole
 * fleet with `@nanogen/fleet`.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import {
  AllProvidersFailed,
  type AttemptError,
  BudgetExceeded,
  classify,
  type ImageGenerationError,
  MalformedResponse,
  RateLimited,
  Timeout
} from "./ImageGenerationError.js"
import * as ImageProvider from "./ImageProvider.js"
import * as ImageRequest from "./ImageRequest.js"
import * as ImageResult from "./ImageResult.js"
import * as Deadline from "./internal/deadline.js"
import { markDecoded } from "./internal/decodedRequests.js"
import * as HandOff from "./internal/handOff.js"
import * as ModelCatalog from "./ModelCatalog.js"
import * as ProviderHealth from "./ProviderHealth.js"
import * as RateLimits from "./RateLimits.js"
import * as ResultCache from "./ResultCache.js"
import * as SpendCap from "./SpendCap.js"

/**
 * The backoff between two attempts on the same provider: `initial × factor^(retry − 1)`, capped at `max`,
 * multiplied by a random factor in `[1 − jitter, 1 + jitter]`, and never shorter than the error's `retryAfter`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Backoff {
  /** Default 500 milliseconds. */
  readonly initial?: Duration.DurationInput | undefined
  /** Default 2. */
  readonly factor?: number | undefined
  /** Default 10 seconds. */
  readonly max?: Duration.DurationInput | undefined
  /** Relative jitter, 0 to 1. Default 0.2; 0 turns it off. */
  readonly jitter?: number | undefined
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The name of the composed provider. Default `"fallback"`. */
  readonly name?: string | undefined
  /** Attempts per provider (the first call included). Default 2. */
  readonly attempts?: number | undefined
  /** Backoff between attempts on the same provider. */
  readonly backoff?: Backoff | undefined
  /**
   * The longest `retryAfter` worth waiting for; a rate limit asking for more fails over to the next provider at
   * once. Default 30 seconds.
   */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /** Deadline of one attempt. Default 120 seconds (4K Pro images can take over a minute). */
  readonly attemptTimeout?: Duration.DurationInput | undefined
  /** Deadline of the whole chain (one image). Default 5 minutes. */
  readonly deadline?: Duration.DurationInput | undefined
  /** Whether a `ContentBlocked` refusal moves on to the next provider. Default `false`. */
  readonly failoverOnContentBlocked?: boolean | undefined
  /**
   * The in-memory health store used when no `ProviderHealth` service is in the context: consecutive failures
   * before a cooldown, and its length. `false` disables health tracking.
   */
  readonly health?: ProviderHealth.MemoryOptions | false | undefined
  /** Chains run at once for `n > 1`. Default: all of them (`n` is at most 10). */
  readonly concurrency?: number | undefined
  /**
   * For `n > 1`: return the images that succeeded plus a warning per failed one, instead of failing the whole
   * request. Default `false` (all or nothing).
   */
  readonly partial?: boolean | undefined
  /** The model used when a request names none (an alias such as `"nano-banana-pro"`). */
  readonly defaultModel?: string | undefined
}

/**
 * The defaults of `Options`.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaults = {
  name: "fallback",
  attempts: 2,
  backoff: { initial: Duration.millis(500), factor: 2, max: Duration.seconds(10), jitter: 0.2 },
  maxRetryAfter: Duration.seconds(30),
  attemptTimeout: Duration.seconds(120),
  deadline: Duration.minutes(5),
  // One chain per image, all at once (`n` is at most ImageRequest.limits.maxN): the calls are I/O-bound.
  concurrency: ImageRequest.limits.maxN
} as const

/**
 * Counter of attempts, tagged `provider` and `outcome` (`"success"` or the error tag).
 *
 * @since 0.1.0
 * @category Fallback
 */
export const attemptsTotal = Metric.counter("nanogen_attempts_total", {
  description: "Image generation attempts by provider and outcome",
  incremental: true
})

/**
 * Histogram of attempt latency in milliseconds, tagged `provider`.
 *
 * @since 0.1.0
 * @category Fallback
 */
export const attemptLatency = Metric.histogram(
  "nanogen_attempt_duration_ms",
  MetricBoundaries.exponential({ start: 100, factor: 2, count: 12 }),
  "Image generation attempt latency by provider, in milliseconds"
)

interface Settings {
  readonly name: string
  readonly attempts: number
  readonly initialMs: number
  readonly factor: number
  readonly maxBackoffMs: number
  readonly jitter: number
  readonly maxRetryAfterMs: number
  readonly attemptTimeout: Duration.Duration
  readonly deadlineMs: number
  readonly failoverOnContentBlocked: boolean
  readonly concurrency: number
  readonly partial: boolean
  readonly defaultModel: string | undefined
}

const millis = (input: Duration.DurationInput): number => Duration.toMillis(Duration.decode(input))

const settingsOf = (options: Options): Settings => ({
  name: options.name ?? defaults.name,
  attempts: Math.max(1, Math.floor(options.attempts ?? defaults.attempts)),
  initialMs: millis(options.backoff?.initial ?? defaults.backoff.initial),
  factor: options.backoff?.factor ?? defaults.backoff.factor,
  maxBackoffMs: millis(options.backoff?.max ?? defaults.backoff.max),
  jitter: Math.min(1, Math.max(0, options.backoff?.jitter ?? defaults.backoff.jitter)),
  maxRetryAfterMs: millis(options.maxRetryAfter ?? defaults.maxRetryAfter),
  attemptTimeout: Duration.decode(options.attemptTimeout ?? defaults.attemptTimeout),
  deadlineMs: millis(options.deadline ?? defaults.deadline),
  failoverOnContentBlocked: options.failoverOnContentBlocked ?? false,
  concurrency: Math.max(1, options.concurrency ?? defaults.concurrency),
  partial: options.partial ?? false,
  defaultModel: options.defaultModel
})

/** Errors that count against a provider's health: it failed, not the request. */
const countsAgainstHealth = (error: AttemptError): boolean =>
  classify(error).failover === "always" && error._tag !== "UnsupportedRequest" && error._tag !== "NoImageReturned"

const attemptOf = (
  fields: {
    readonly provider: string
    readonly model: string
    readonly outcome: string
    readonly durationMs: number
    readonly status: number | undefined
    readonly message: string | undefined
    readonly reseeded: boolean
  },
  group: Group,
  attempt: number
): ImageResult.Attempt =>
  ImageResult.dropUndefined({
    ...fields,
    reseeded: fields.reseeded ? true : undefined,
    image: group.index,
    count: group.count > 1 ? group.count : undefined,
    attempt
  })

const asAttemptError = (error: ImageGenerationError): AttemptError =>
  error._tag === "AllProvidersFailed"
    ? error.errors[error.errors.length - 1] ??
      new Timeout({ provider: error.provider, message: error.message })
    : error

/**
 * Composes already built providers, in order. Most programs use `layer`; `make` serves code that holds the
 * services themselves. A `ProviderHealth` in the context is used; otherwise an in-memory one is created.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fallback, ImageProviderTest } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const a = yield* ImageProviderTest.make({ name: "a" })
 *   const b = yield* ImageProviderTest.make({ name: "b" })
 *   const both = yield* Fallback.make([a.provider, b.provider], { attempts: 3 })
 *   return yield* both.generate({ prompt: "a nano banana" })
 * })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  providers: ReadonlyArray<ImageProvider.ImageProvider.Service>,
  options: Options = {}
): Effect.Effect<ImageProvider.ImageProvider.Service> =>
  Effect.gen(function*() {
    const settings = settingsOf(options)
    const provided = yield* Effect.serviceOption(ProviderHealth.ProviderHealth)
    const health = Option.isSome(provided)
      ? Option.some(provided.value)
      : options.health === false
      ? Option.none()
      : Option.some(yield* ProviderHealth.makeMemory(options.health ?? {}))
    const limits = yield* Effect.serviceOption(RateLimits.RateLimits)
    const cache = yield* Effect.serviceOption(ResultCache.ResultCache)
    const spend = yield* Effect.serviceOption(SpendCap.SpendCap)
    const chain = makeChain(providers, settings, health, limits)
    const generate = (input: ImageRequest.Input) =>
      Effect.gen(function*() {
        const withModel = settings.defaultModel !== undefined && typeof input === "object" && input !== null &&
            input.model === undefined
          ? { ...input, model: settings.defaultModel }
          : input
        const request = yield* ImageRequest.decode(withModel, settings.name)
        yield* Effect.annotateCurrentSpan({ "nanogen.model": request.model, "nanogen.n": request.n })
        const groups = groupsOf(request, providers)
        const produce = withSpendCap(
          spend,
          request,
          settings.name,
          groups.length === 1 ? chain(request, groups[0]!) : fanOut(request, groups, chain, settings)
        )
        const key = Option.flatMap(cache, (store) => store.keyOf(request))
        const result = Option.isSome(cache) && Option.isSome(key)
          ? yield* Effect.map(
            cache.value.run(key.value, produce),
            ({ cached, result }): ImageResult.ImageResult => cached ? { ...result, cached: true } : result
          )
          : yield* produce
        yield* Effect.annotateCurrentSpan({
          "nanogen.provider": result.provider,
          "nanogen.outcome": "success",
          "nanogen.attempts": result.attempts.length
        })
        return result
      }).pipe(
        Effect.tapError((error) => Effect.annotateCurrentSpan("nanogen.outcome", error._tag)),
        HandOff.withSpan("nanogen.generate", {
          attributes: { "nanogen.fallback": settings.name },
          // the call site would be this line of core (≈ 30 µs per span to capture)
          captureStackTrace: false
        })
      )
    return ImageProvider.ImageProvider.of({ name: settings.name, generate })
  })

/**
 * The images of one request, in groups that each run their own chain: as many per group as the first provider that
 * serves the model returns per call (`maxPerCall`), so `n` passes through to a backend that can serve several at
 * once and only what it cannot serve is split.
 */
interface Group {
  readonly index: number
  readonly count: number
}

const groupsOf = (
  request: ImageRequest.ImageRequest,
  providers: ReadonlyArray<ImageProvider.ImageProvider.Service>
): ReadonlyArray<Group> => {
  let perCall = 1
  for (const provider of providers) {
    if (provider.models === undefined) continue
    const capability = ModelCatalog.capabilityFor(provider.models, request, provider.nativeAliases)
    if (capability !== undefined) {
      perCall = Math.max(1, capability.maxPerCall)
      break
    }
  }
  const groups: Array<Group> = []
  for (let index = 0; index < request.n; index += perCall) {
    groups.push({ index, count: Math.min(perCall, request.n - index) })
  }
  return groups
}

const imagesText = (group: Group, n: number): string =>
  group.count === 1
    ? `image ${group.index + 1} of ${n}`
    : `images ${group.index + 1}–${group.index + group.count} of ${n}`

const fanOut = (
  request: ImageRequest.ImageRequest,
  groups: ReadonlyArray<Group>,
  chain: (
    request: ImageRequest.ImageRequest,
    group: Group
  ) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>,
  settings: Settings
): Effect.Effect<ImageResult.ImageResult, ImageGenerationError> => {
  const indexes = groups.map((_, index) => index)
  const run = (index: number) =>
    // a decoded request with another valid `n`: the provider need not decode it again
    chain(markDecoded({ ...request, n: groups[index]!.count }), groups[index]!).pipe(
      Effect.annotateLogs("nanogen.image", groups[index]!.index + 1)
    )
  // One group (`n` within one call, the usual request) runs in this fiber: a concurrent `forEach` forks one per
  // group, ≈ 0.3 ms of CPU a call. With `partial` its failure is still the failure of the whole request.
  if (indexes.length === 1) return run(0)
  if (!settings.partial) {
    return HandOff.forEach(indexes, run, { concurrency: settings.concurrency }).pipe(
      Effect.map((results) =>
        ImageResult.merge(results as [ImageResult.ImageResult, ...Array<ImageResult.ImageResult>])
      )
    )
  }
  return HandOff.forEach(indexes, (index) => Effect.either(run(index)), { concurrency: settings.concurrency }).pipe(
    Effect.flatMap((outcomes) => {
      const successes = outcomes.flatMap((outcome) => outcome._tag === "Right" ? [outcome.right] : [])
      const failures = outcomes.flatMap((outcome, index) =>
        outcome._tag === "Left" ? [{ index, error: outcome.left }] : []
      )
      if (successes.length === 0) return Effect.fail(failures[0]!.error)
      const merged = ImageResult.merge(successes as [ImageResult.ImageResult, ...Array<ImageResult.ImageResult>])
      const warnings = failures.map(({ error, index }) =>
        `${imagesText(groups[index]!, request.n)} failed (${error._tag}): ${error.message}`
      )
      const failedAttempts = failures.flatMap(({ error }) => error._tag === "AllProvidersFailed" ? error.attempts : [])
      return Effect.succeed({
        ...merged,
        attempts: [...merged.attempts, ...failedAttempts],
        warnings: [...merged.warnings, ...warnings]
      })
    })
  )
}

/**
 * The spend cap around one generation: its estimate (catalog price × the size tier's tokens × `n`) reserved
 * before any call, `BudgetExceeded` when the cap is reached or would be passed; the reservation corrected to the
 * reported cost after it, or given back when nothing was generated.
 */
const withSpendCap = (
  spend: Option.Option<SpendCap.Service>,
  request: ImageRequest.ImageRequest,
  name: string,
  produce: Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
): Effect.Effect<ImageResult.ImageResult, ImageGenerationError> => {
  if (Option.isNone(spend)) return produce
  const estimateUsd = ModelCatalog.isAlias(request.model)
    ? ModelCatalog.estimate(ModelCatalog.entries[request.model], request)
    : 0
  return Effect.flatMap(spend.value.reserve(estimateUsd), (verdict) => {
    if (verdict._tag === "Exceeded") {
      return Effect.fail(
        new BudgetExceeded({
          provider: name,
          model: request.model,
          estimateUsd,
          limitUsd: verdict.cap.limitUsd,
          message: `${name}: the spend cap of $${verdict.cap.limitUsd} per ${
            Duration.format(verdict.cap.period)
          } is reached ($${verdict.spentUsd.toFixed(4)} spent, this request is estimated at $${estimateUsd.toFixed(4)})`
        })
      )
    }
    return produce.pipe(
      Effect.tap((result) => {
        const correction = (result.cost?.usd ?? estimateUsd) - estimateUsd
        return correction === 0 ? Effect.void : spend.value.adjust(correction)
      }),
      Effect.onError(() => estimateUsd === 0 ? Effect.void : spend.value.adjust(-estimateUsd))
    )
  })
}

const makeChain = (
  providers: ReadonlyArray<ImageProvider.ImageProvider.Service>,
  settings: Settings,
  health: Option.Option<ProviderHealth.ProviderHealth["Type"]>,
  limits: Option.Option<RateLimits.Service>
) =>
(request: ImageRequest.ImageRequest, group: Group): Effect.Effect<ImageResult.ImageResult, ImageGenerationError> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const trail: Array<ImageResult.Attempt> = []
    const errors: Array<AttemptError> = []
    const skipped: Array<string> = []
    let deadlineHit = false

    const acquire = (name: string): Effect.Effect<ProviderHealth.Decision> =>
      Option.isSome(health) ? health.value.acquire(name) : Effect.succeed("available")
    const report = (name: string, error: AttemptError | undefined) =>
      Option.isNone(health)
        ? Effect.void
        : error === undefined || !countsAgainstHealth(error)
        ? health.value.success(name)
        : health.value.failure(name)
    // Takes one request from the backend's budget, waiting for a free slot when it comes within `maxRetryAfter`
    // and the deadline; otherwise says why not.
    const admit = (name: string) =>
      Effect.gen(function*() {
        if (Option.isNone(limits)) return undefined
        let waitedMs = 0
        while (true) {
          const permit = yield* limits.value.take(name)
          if (permit._tag === "Granted") return undefined
          const waitMs = Duration.toMillis(permit.retryAfter)
          const elapsed = (yield* Clock.currentTimeMillis) - start
          if (waitedMs + waitMs > settings.maxRetryAfterMs || elapsed + waitMs >= settings.deadlineMs) return permit
          yield* Effect.logDebug(
            `nanogen: ${name} is ${permit.reason === "budget" ? "over its request budget" : "paused"}, waiting ${
              Math.round(waitMs)
            } ms`
          )
          yield* Effect.sleep(permit.retryAfter)
          waitedMs += waitMs
        }
      })

    providers:
    for (const provider of providers) {
      const decision = yield* acquire(provider.name)
      if (decision === "cooling-down") {
        skipped.push(provider.name)
        yield* Effect.logDebug(`nanogen: skipping ${provider.name}, cooling down after repeated failures`)
        continue
      }
      const maxAttempts = decision === "probe" ? 1 : settings.attempts
      let noImageRetries = 0
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const now = yield* Clock.currentTimeMillis
        const remainingMs = settings.deadlineMs - (now - start)
        if (remainingMs <= 0) {
          deadlineHit = true
          if (decision === "probe" && Option.isSome(health)) yield* health.value.release(provider.name)
          break providers
        }
        const timeout = Duration.min(settings.attemptTimeout, Duration.millis(remainingMs))
        const number = trail.length + 1
        const limited = yield* admit(provider.name)
        if (limited !== undefined) {
          const message = limited.reason === "budget"
            ? `${provider.name} is over its request budget; the next slot is in ${Duration.format(limited.retryAfter)}`
            : `${provider.name} asked to be left alone (Retry-After) for ${Duration.format(limited.retryAfter)} more`
          yield* Effect.logDebug(`nanogen: ${message}, failing over`)
          trail.push(attemptOf(
            {
              provider: provider.name,
              model: request.model,
              outcome: "RateLimited",
              durationMs: 0,
              status: undefined,
              message,
              reseeded: false
            },
            group,
            number
          ))
          errors.push(
            new RateLimited({ provider: provider.name, model: request.model, message, retryAfter: limited.retryAfter })
          )
          if (decision === "probe" && Option.isSome(health)) yield* health.value.release(provider.name)
          continue providers
        }
        const exit = yield* runAttempt(provider, request, timeout, number, group).pipe(
          decision === "probe" && Option.isSome(health)
            ? Effect.onInterrupt(() => health.value.release(provider.name))
            : (self) => self
        )
        trail.push(exit.attempt)
        if (Exit.isSuccess(exit.exit)) {
          yield* report(provider.name, undefined)
          const result = exit.exit.value
          return {
            ...result,
            attempts: [...trail],
            warnings: skipped.length === 0
              ? result.warnings
              : [...result.warnings, `skipped ${skipped.join(", ")}: cooling down after repeated failures`]
          } satisfies ImageResult.ImageResult
        }
        const error = exit.error!
        errors.push(error)
        yield* report(provider.name, error)
        if (error._tag === "RateLimited" && error.retryAfter !== undefined && Option.isSome(limits)) {
          // the backend's own Retry-After holds every caller sharing the limits (the whole fleet with Redis)
          yield* limits.value.pause(provider.name, error.retryAfter)
        }
        const next = decide(error, attempt, maxAttempts, noImageRetries, settings)
        if (next.next === "stop") {
          yield* Effect.logDebug(`nanogen: ${provider.name} failed with ${error._tag}, which stops the chain`)
          return yield* Effect.fail(error)
        }
        if (next.next === "failover") {
          yield* Effect.logDebug(`nanogen: ${provider.name} failed with ${error._tag}, failing over`)
          continue providers
        }
        if (error._tag === "NoImageReturned") noImageRetries++
        const jitter = settings.jitter === 0 ? 1 : 1 + settings.jitter * (2 * (yield* Random.next) - 1)
        const waitMs = Math.max(next.backoffMs * jitter, next.retryAfterMs)
        const elapsed = (yield* Clock.currentTimeMillis) - start
        if (elapsed + waitMs >= settings.deadlineMs) {
          yield* Effect.logDebug(`nanogen: no time left to retry ${provider.name}, failing over`)
          continue providers
        }
        yield* Effect.logDebug(
          `nanogen: retrying ${provider.name} after ${error._tag} in ${Math.round(waitMs)} ms`
        )
        yield* Effect.sleep(Duration.millis(waitMs))
      }
    }
    const failed = AllProvidersFailed.fromAttempts(errors, trail, settings.name)
    const notes = [
      ...(deadlineHit
        ? [`the overall deadline of ${Duration.format(Duration.millis(settings.deadlineMs))} ran out`]
        : []),
      ...(skipped.length > 0 ? [`skipped while cooling down: ${skipped.join(", ")}`] : [])
    ]
    return yield* Effect.fail(
      notes.length === 0 ? failed : new AllProvidersFailed({
        provider: settings.name,
        message: `${failed.message} (${notes.join("; ")})`,
        errors: failed.errors,
        attempts: failed.attempts
      })
    )
  })

const decide = (
  error: AttemptError,
  attempt: number,
  maxAttempts: number,
  noImageRetries: number,
  settings: Settings
):
  | { readonly next: "failover" }
  | { readonly next: "stop" }
  | { readonly next: "retry"; readonly backoffMs: number; readonly retryAfterMs: number } =>
{
  const classification = classify(error)
  const failover = classification.failover === "always" ||
      (classification.failover === "optional" && settings.failoverOnContentBlocked)
    ? { next: "failover" as const }
    : { next: "stop" as const }
  const canRetry = attempt < maxAttempts && (
    classification.retry === "always" || (classification.retry === "once" && noImageRetries === 0)
  )
  if (!canRetry) return failover
  const retryAfterMs = error._tag === "RateLimited" && error.retryAfter !== undefined
    ? Duration.toMillis(error.retryAfter)
    : 0
  if (retryAfterMs > settings.maxRetryAfterMs) return failover
  const base = Math.min(settings.maxBackoffMs, settings.initialMs * Math.pow(settings.factor, attempt - 1))
  return { next: "retry", backoffMs: base, retryAfterMs }
}

// The tagged metrics per provider (and outcome), made once: tagging hashes the keys anew on every call.
const taggedCounters = new Map<string, Map<string, Metric.Metric.Counter<number>>>()
const taggedLatencies = new Map<string, Metric.Metric.Histogram<number>>()
const attemptsCounter = (provider: string, outcome: string): Metric.Metric.Counter<number> => {
  let byOutcome = taggedCounters.get(provider)
  if (byOutcome === undefined) {
    // a bound for programs that make providers with ever new names
    if (taggedCounters.size >= 1024) taggedCounters.clear()
    taggedCounters.set(provider, byOutcome = new Map())
  }
  let counter = byOutcome.get(outcome)
  if (counter === undefined) {
    byOutcome.set(
      outcome,
      counter = Metric.tagged(Metric.tagged(attemptsTotal, "provider", provider), "outcome", outcome)
    )
  }
  return counter
}
const latencyHistogram = (provider: string): Metric.Metric.Histogram<number> => {
  let histogram = taggedLatencies.get(provider)
  if (histogram === undefined) {
    if (taggedLatencies.size >= 1024) taggedLatencies.clear()
    taggedLatencies.set(provider, histogram = Metric.tagged(attemptLatency, "provider", provider))
  }
  return histogram
}

const runAttempt = (
  provider: ImageProvider.ImageProvider.Service,
  request: ImageRequest.ImageRequest,
  timeout: Duration.Duration,
  number: number,
  group: Group
): Effect.Effect<{
  readonly exit: Exit.Exit<ImageResult.ImageResult, AttemptError>
  readonly error: AttemptError | undefined
  readonly attempt: ImageResult.Attempt
}> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    let exit = yield* provider.generate(request).pipe(
      Effect.mapError(asAttemptError),
      Deadline.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new Timeout({
            provider: provider.name,
            message: `${provider.name} did not answer within ${Duration.format(timeout)}`,
            model: request.model,
            timeout
          })
      }),
      Effect.exit
    )
    const durationMs = (yield* Clock.currentTimeMillis) - started
    if (Exit.isFailure(exit) && Option.isNone(failureOf(exit))) {
      // Interruption goes on up; a defect in the provider fails this attempt only, and the chain goes on.
      const defect = Cause.dieOption(exit.cause)
      if (Option.isNone(defect)) return yield* Effect.failCause(Cause.stripFailures(exit.cause))
      const described = ImageProvider.describeDefect(defect.value)
      yield* Effect.logDebug(`nanogen: ${provider.name} failed unexpectedly: ${described}`)
      exit = Exit.fail(
        new MalformedResponse({
          provider: provider.name,
          model: request.model,
          message: `${provider.name} failed unexpectedly (${described})`
        })
      )
    }
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(failureOf(exit)) : undefined
    const outcome = error === undefined ? "success" : error._tag
    const model = Exit.isSuccess(exit) ? exit.value.model : error?.model ?? request.model
    const status = error?.status
    const attempt = attemptOf(
      {
        provider: provider.name,
        model,
        outcome,
        durationMs,
        status,
        message: error?.message,
        // a backend that answered a session's history it could not continue with a re-seed
        reseeded: Exit.isSuccess(exit) && exit.value.attempts.some((attempt) => attempt.reseeded === true)
      },
      group,
      number
    )
    yield* Effect.annotateCurrentSpan({
      "nanogen.outcome": outcome,
      "nanogen.model": model,
      ...(status === undefined ? {} : { "http.status": status })
    })
    yield* Metric.increment(attemptsCounter(provider.name, outcome))
    yield* Metric.update(latencyHistogram(provider.name), durationMs)
    yield* Effect.logDebug(
      `nanogen: attempt ${number} ${provider.name} (${model}) → ${outcome}${
        status === undefined ? "" : ` ${status}`
      } in ${durationMs} ms`
    )
    return { exit, error, attempt }
  }).pipe(
    HandOff.withSpan("nanogen.attempt", {
      attributes: { "nanogen.provider": provider.name, "nanogen.model": request.model, "nanogen.attempt": number },
      captureStackTrace: false
    })
  )

const failureOf = <A>(exit: Exit.Exit<A, AttemptError>): Option.Option<AttemptError> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

/**
 * The fallback as a layer: builds each provider layer **once**, in this layer's scope, and provides one
 * `ImageProvider` that tries them in the given order. Provider layers keep their requirements (`HttpClient`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Fallback, ImageGenerationError, ImageProvider, ImageProviderTest } from "@nanogen/core"
 *
 * const Primary = ImageProviderTest.layer({
 *   name: "primary",
 *   respond: [new ImageGenerationError.ProviderUnavailable({ provider: "primary", message: "503", status: 503 })]
 * })
 * const Secondary = ImageProviderTest.layer({ name: "secondary" })
 * const Live = Fallback.layer([Primary, Secondary], { attempts: 1, attemptTimeout: "60 seconds" })
 *
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(Live))
 * // result.provider === "secondary"; result.attempts: primary ProviderUnavailable 503, secondary success
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = <E = never, R = never>(
  providers: ReadonlyArray<Layer.Layer<ImageProvider.ImageProvider, E, R>>,
  options: Options = {}
): Layer.Layer<ImageProvider.ImageProvider, E, R> =>
  Layer.scoped(
    ImageProvider.ImageProvider,
    Effect.gen(function*() {
      const services: Array<ImageProvider.ImageProvider.Service> = []
      for (const providerLayer of providers) {
        const context = yield* Layer.build(providerLayer)
        services.push(Context.get(context, ImageProvider.ImageProvider))
      }
      return yield* make(services, options)
    })
  )
