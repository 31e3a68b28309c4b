/**
 * `VertexUrl`: where a Vertex AI `generateContent` call goes — the regional, multi-regional or global host, the
 * project and location path, or express mode's bare `publishers/google/models/{model}`.
 *
 * @since 0.2.0
 */

/**
 * The API version used in default base URLs (`v1beta1` works too: pass it in `apiUrl`).
 *
 * @example
 * ```ts
 * import { VertexUrl } from "@nanogen/vertex"
 * VertexUrl.apiVersion // "v1"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const apiVersion = "v1"

/**
 * Whether a location is spelled as Google spells them (`global`, `us`, `eu`, `us-central1`, `europe-west4`…). The
 * location becomes part of the host name, so anything else is refused.
 *
 * @example
 * ```ts
 * import { VertexUrl } from "@nanogen/vertex"
 * VertexUrl.isLocation("us-central1") // true
 * VertexUrl.isLocation("evil.example/") // false
 * ```
 * @since 0.2.0
 * @category Guards
 */
export const isLocation = (location: string): boolean => /^[a-z]+(?:-[a-z]+[0-9]*)*$/.test(location)

/**
 * The default base URL of a location: `global` (and express mode) → `https://aiplatform.googleapis.com/v1`;
 * the multi-regions `us` / `eu` → `https://aiplatform.{us|eu}.rep.googleapis.com/v1`; a region →
 * `https://{region}-aiplatform.googleapis.com/v1`.
 *
 * @example
 * ```ts
 * import { VertexUrl } from "@nanogen/vertex"
 * VertexUrl.baseUrl("global") // "https://aiplatform.googleapis.com/v1"
 * VertexUrl.baseUrl("europe-west4") // "https://europe-west4-aiplatform.googleapis.com/v1"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const baseUrl = (location: string): string =>
  location === "global"
    ? `https://aiplatform.googleapis.com/${apiVersion}`
    : location === "us" || location === "eu"
    ? `https://aiplatform.${location}.rep.googleapis.com/${apiVersion}`
    : `https://${location}-aiplatform.googleapis.com/${apiVersion}`

/**
 * What a call is addressed to: a project and location (OAuth), or neither (express mode).
 *
 * @since 0.2.0
 * @category Models
 */
export interface Target {
  readonly project?: string | undefined
  readonly location?: string | undefined
}

/**
 * The path of a model below the base URL (the caller adds `:generateContent` or `:streamGenerateContent?alt=sse`).
 * A bare model id is a Google publisher model; an id that already starts with `publishers/` is kept. With a
 * project: `/projects/{p}/locations/{l}/publishers/google/models/{m}`; without (express mode):
 * `/publishers/google/models/{m}`.
 *
 * @example
 * ```ts
 * import { VertexUrl } from "@nanogen/vertex"
 * VertexUrl.modelPath({ project: "my-project", location: "global" }, "gemini-3-pro-image")
 * // "/projects/my-project/locations/global/publishers/google/models/gemini-3-pro-image"
 * VertexUrl.modelPath({}, "gemini-3-pro-image") // "/publishers/google/models/gemini-3-pro-image"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const modelPath = (target: Target, model: string): string => {
  const id = model.replace(/^models\//, "")
  const publisherModel = id.startsWith("publishers/")
    ? id.split("/").map(encodeURIComponent).join("/")
    : `publishers/google/models/${encodeURIComponent(id)}`
  const scope = target.project === undefined
    ? ""
    : `/projects/${encodeURIComponent(target.project)}/locations/${encodeURIComponent(target.location ?? "global")}`
  return `${scope}/${publisherModel}`
}
