import type { Agent } from "node:http"

/** One bare read of `url` (a POST whose answer is received and thrown away); resolves once it has all arrived. */
export declare const bareRead: (agent: Agent, url: string) => Promise<void>
