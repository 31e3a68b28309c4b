/**
 * The TypeScript examples of a Markdown file, as programs the doc tests compile and run.
 *
 * Every ```ts block is one program. An HTML comment right before a block's fence (hidden when the Markdown is
 * rendered) can change that:
 *
 *     <!-- doctest: continue -->      the block continues the previous program of the file (shares its scope)
 *     <!-- doctest: prelude
 *     const pngBytes = …              code run before the block (placeholders get a real definition here)
 *     -->
 *     <!-- doctest: fault aimlapi {"kind":"ok","aimlForm":"data-b64"} -->
 *                                     while the program runs, that emulator server answers every call so
 *
 * Several directive comments may precede one fence.
 *
 * A program that imports `@effect/vitest` is a test file: it runs under vitest instead of plain node.
 */
import * as Fs from "node:fs"

/** One program: its source and, for each of its lines, where that line comes from. */
export interface Program {
  /** Markdown file (as given) and 1-based line of the first block's opening fence. */
  readonly file: string
  readonly line: number
  readonly code: string
  /** For each line of `code`: the Markdown line it was read from (a prelude line maps to its comment). */
  readonly lines: ReadonlyArray<number>
  readonly kind: "node" | "vitest"
  /** Faults the emulator's servers answer with while the program runs (`fault <server> <json>` directives). */
  readonly faults: ReadonlyArray<{ readonly server: string; readonly fault: unknown }>
}

const fence = /^```(\w+)?\s*$/

/** Extracts the programs of `file` (`text` defaults to the file's content). */
export const programs = (file: string, text: string = Fs.readFileSync(file, "utf8")): Array<Program> => {
  const source = text.split("\n")
  const result: Array<
    { line: number; code: Array<string>; lines: Array<number>; faults: Array<{ server: string; fault: unknown }> }
  > = []
  let directive:
    | {
      continues: boolean
      prelude: Array<string>
      preludeLine: number
      faults: Array<{ server: string; fault: unknown }>
    }
    | undefined
  for (let index = 0; index < source.length; index++) {
    const line = source[index]!
    const comment = /^<!--\s*doctest:\s*(.*)$/.exec(line)
    if (comment !== null) {
      const text = comment[1]!.replace(/-->\s*$/, "").trim()
      const fault = /^fault\s+(\S+)\s+(\{.*\})$/.exec(text)
      const previous = directive
      directive = {
        continues: text.split(/\s+/).includes("continue") || previous?.continues === true,
        prelude: previous?.prelude ?? [],
        preludeLine: previous?.preludeLine ?? index + 1,
        faults: [
          ...(previous?.faults ?? []),
          ...(fault === null ? [] : [{ server: fault[1]!, fault: JSON.parse(fault[2]!) }])
        ]
      }
      if (!line.trimEnd().endsWith("-->")) {
        while (++index < source.length && !source[index]!.trimStart().startsWith("-->")) {
          directive.prelude.push(source[index]!)
        }
      }
      continue
    }
    const open = fence.exec(line)
    if (open === null) {
      if (line.trim() !== "") directive = undefined
      continue
    }
    const language = open[1]
    const body: Array<string> = []
    const bodyLines: Array<number> = []
    const start = index + 1
    while (++index < source.length && !/^```\s*$/.test(source[index]!)) {
      body.push(source[index]!)
      bodyLines.push(index + 1)
    }
    if (language === "ts" || language === "typescript") {
      const prelude = directive?.prelude ?? []
      const preludeLines = prelude.map(() => directive!.preludeLine)
      const previous = result[result.length - 1]
      const faults = directive?.faults ?? []
      if (directive?.continues === true && previous !== undefined) {
        previous.code.push(...prelude, ...body)
        previous.lines.push(...preludeLines, ...bodyLines)
        previous.faults.push(...faults)
      } else {
        result.push({
          line: start,
          code: [...prelude, ...body],
          lines: [...preludeLines, ...bodyLines],
          faults: [...faults]
        })
      }
    }
    directive = undefined
  }
  return result.map((entry) => {
    const code = `${entry.code.join("\n")}\n`
    return {
      file,
      line: entry.line,
      code,
      lines: entry.lines,
      faults: entry.faults,
      kind: /from\s+"@effect\/vitest"/.test(code) ? "vitest" : "node"
    }
  })
}
