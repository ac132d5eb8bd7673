import { createServer } from "node:net";
import { configSchema } from "../config/schema.js";

/** Whether something already listens on host:port (e.g. the agent of another `npm start`). */
export function httpPortTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE"));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** `http.port`'s default in the config schema (8080). */
export const SCHEMA_HTTP_PORT: number = configSchema.shape.http.parse(undefined).port;
