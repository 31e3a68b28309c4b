/**
 * An `http.client` span whose recorded exit never holds the request. `@effect/platform`'s own client span ends
 * with the `HttpClientResponse` (or a `RequestError`) as its exit value; both carry the request and its headers,
 * so anything that renders a finished span outside a fiber (where `Headers.currentRedactedNames` does not apply)
 * would print the API key. This wrapper disables the platform span and records the same attributes on its own
 * span (headers redacted), ending it with `Exit.void` or a failure that holds only tag and message.
 *
 * ProviderClient applies it to every provider's client, so no provider's credential header can leak this way.
 *
 * @since 0.1.0
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"

/** @internal */
export const keyFreeSpans = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.transform(
    HttpClient.withTracerDisabledWhen(client, () => true),
    (effect, request) =>
      Effect.gen(function*() {
        const redactedNames = yield* FiberRef.get(Headers.currentRedactedNames)
        const span = yield* Effect.makeSpan(`http.client ${request.method}`, {
          kind: "client",
          captureStackTrace: false
        })
        const url = URL.canParse(request.url) ? new URL(request.url) : undefined
        span.attribute("http.request.method", request.method)
        if (url !== undefined) {
          span.attribute("server.address", url.origin)
          if (url.port !== "") span.attribute("server.port", Number(url.port))
          span.attribute("url.path", url.pathname)
          span.attribute("url.scheme", url.protocol.slice(0, -1))
          span.attribute("url.full", `${url.origin}${url.pathname}${url.search}`)
          if (url.search !== "") span.attribute("url.query", url.search.slice(1))
        }
        const requestHeaders = Headers.redact(request.headers, redactedNames)
        for (const name in requestHeaders) span.attribute(`http.request.header.${name}`, String(requestHeaders[name]))
        return yield* effect.pipe(
          Effect.withParentSpan(span),
          Effect.tap((response) => span.attribute("http.response.status_code", response.status)),
          Effect.onExit((exit) =>
            Effect.flatMap(Clock.currentTimeNanos, (now) =>
              Effect.sync(() =>
                span.end(
                  now,
                  Exit.isSuccess(exit)
                    ? Exit.void
                    : Exit.failCause(
                      Cause.map(
                        exit.cause,
                        (error) => ({ _tag: error._tag, reason: error.reason, message: error.message })
                      )
                    )
                )
              ))
          )
        )
      })
  )
