/**
 * The requests `ImageRequest.decode` produced (and copies of them that stay valid by construction, such as
 * `Fallback`'s per-image `{ ...request, n }`): decoding one of them again gives back the same request, so a layer
 * under another (`Fallback`, then the provider) skips the Schema pass (≈ 15–20 µs a request). Weakly held.
 *
 * @internal
 */
const decoded = new WeakSet<object>()

/** @internal */
export const markDecoded = <A extends object>(request: A): A => {
  decoded.add(request)
  return request
}

/** @internal */
export const isDecoded = (input: object): boolean => decoded.has(input)
