import type { TestProject } from "vitest/node"
import { startRedis } from "./redisServer.js"

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string
  }
}

export default async function setup(project: TestProject) {
  const redis = await startRedis()
  project.provide("redisUrl", redis.url)
  return () => redis.stop()
}
