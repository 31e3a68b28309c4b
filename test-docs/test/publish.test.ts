/**
 * What a user of the published packages and of a fresh clone relies on: each public package's metadata, the
 * private ones kept out of `pnpm -r pack`, documentation that refers only to what is in the repository, and one
 * pnpm version for CI, the demo script and the README.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "..", "..")
const read = (file: string) => Fs.readFileSync(Path.join(root, file), "utf8")

interface Manifest {
  readonly name: string
  readonly private?: boolean
  readonly license?: string
  readonly repository?: { readonly type: string; readonly url: string; readonly directory?: string }
  readonly keywords?: ReadonlyArray<string>
  readonly engines?: Record<string, string>
  readonly files?: ReadonlyArray<string>
  readonly publishConfig?: { readonly access?: string }
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
  readonly scripts?: Record<string, string>
}

const manifest = (file: string): Manifest => JSON.parse(read(file))

const packages = Fs.readdirSync(Path.join(root, "packages"))
  .filter((folder) => Fs.existsSync(Path.join(root, "packages", folder, "package.json")))
  .map((folder) => ({ folder, manifest: manifest(`packages/${folder}/package.json`) }))

const sourceImports = (folder: string, specifier: string): boolean => {
  const walk = (dir: string): boolean =>
    Fs.readdirSync(dir, { withFileTypes: true }).some((entry) =>
      entry.isDirectory()
        ? walk(Path.join(dir, entry.name))
        : entry.name.endsWith(".ts") &&
          Fs.readFileSync(Path.join(dir, entry.name), "utf8").includes(`from "${specifier}/`)
    )
  return walk(Path.join(root, "packages", folder, "src"))
}

describe("published packages", () => {
  const published = packages.filter(({ manifest }) => manifest.private !== true)

  it("are all scoped, and the unscoped name is nowhere", () => {
    assert.isAbove(published.length, 5)
    for (const { manifest } of published) assert.match(manifest.name, /^@nanogen\//)
  })

  for (const { folder, manifest } of published) {
    it(`${manifest.name}: README, LICENSE, repository, keywords, engines, public access`, () => {
      assert.isTrue(Fs.existsSync(Path.join(root, "packages", folder, "README.md")), `packages/${folder}/README.md`)
      assert.strictEqual(manifest.license, "MIT")
      assert.deepStrictEqual(manifest.repository?.directory, `packages/${folder}`)
      assert.match(manifest.repository?.url ?? "", /^git\+https:\/\//)
      assert.isAbove(manifest.keywords?.length ?? 0, 2)
      assert.match(manifest.engines?.node ?? "", /^>=20/)
      assert.strictEqual(manifest.publishConfig?.access, "public")
      for (const file of ["dist", "README.md", "LICENSE"]) assert.include(manifest.files ?? [], file)
      assert.strictEqual(manifest.peerDependencies?.effect, ">=3.22.0 <4.0.0")
    })

    it(`${manifest.name}: @effect/platform is a peer wherever the sources import it`, () => {
      if (!sourceImports(folder, "@effect/platform")) return
      assert.isDefined(manifest.peerDependencies?.["@effect/platform"])
      assert.isUndefined(manifest.dependencies?.["@effect/platform"])
    })
  }

  it("@nanogen/client installs no @effect/cluster, rpc or sql of its own (platform-node's peers are npm's to add)", () => {
    const client = manifest("packages/client/package.json")
    for (const name of ["@effect/cluster", "@effect/rpc", "@effect/sql"]) {
      assert.isUndefined(client.dependencies?.[name], name)
    }
    assert.isDefined(client.peerDependencies?.["@effect/platform-node"])
  })

  it("the root LICENSE is MIT (pnpm pack puts it into every package)", () => {
    assert.match(read("LICENSE"), /^MIT License/)
  })

  it("private packages stay out of pnpm -r pack", () => {
    assert.strictEqual(manifest("package.json").private, true)
    assert.strictEqual(manifest("packages/test-utils/package.json").private, true)
    assert.strictEqual(manifest("bench/package.json").private, true)
    assert.strictEqual(manifest("test-docs/package.json").private, true)
  })
})

describe("the workspace", () => {
  it("engines.pnpm accepts a range; CI, the demo script and the README use one pinned pnpm", () => {
    const root = manifest("package.json")
    const range = root.engines?.pnpm ?? ""
    assert.notMatch(range, /^\d+\.\d+\.\d+$/, "an exact version makes other pnpm versions refuse to install")
    const pinned = /^PNPM_VERSION="(\d+\.\d+\.\d+)"$/m.exec(read(".ci/run"))?.[1]
    assert.isDefined(pinned)
    assert.include(root.scripts?.demo ?? "", `pnpm@${pinned} `)
    assert.include(read("README.md"), `npx --yes pnpm@${pinned} install`)
    const major = Number(pinned!.split(".")[0])
    assert.isAtLeast(major, Number(/(\d+)/.exec(range)?.[1]))
  })
})

describe("documentation", () => {
  const documents = [
    "README.md",
    ...packages.map(({ folder }) => `packages/${folder}/README.md`),
    ...(Fs.existsSync(Path.join(root, "docs")) ? Fs.readdirSync(Path.join(root, "docs")).map((f) => `docs/${f}`) : [])
  ].filter((file) => Fs.existsSync(Path.join(root, file)))

  for (const file of documents) {
    it(`${file} refers only to what is in the repository`, () => {
      const text = read(file)
      for (const pattern of [/PROVIDERS\.md/, /\.\.\/shared/, /\bissues? #?\d+/i, /\bDESIGN\.md/, /for the lead/i]) {
        assert.notMatch(text, pattern, `${file} mentions ${pattern}`)
      }
      for (const [, link] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(link!)) continue
        assert.isTrue(Fs.existsSync(Path.resolve(Path.dirname(Path.join(root, file)), link!)), `${file} links ${link}`)
      }
    })
  }

  it("no working file ships as documentation", () => {
    assert.isFalse(Fs.existsSync(Path.join(root, "docs", "provider-brief.md")))
    assert.isFalse(Fs.existsSync(Path.join(root, "packages", "client", "README-fallback.md")))
  })
})
