import { readFileSync } from "node:fs";
import { z } from "zod";
import { writeFileAtomic } from "../keys/atomic-write.js";

/** The file an instance keeps its refused activation attempts in, in its data directory. */
export const ACTIVATION_REFUSALS_FILE = "activation-refusals.json";

/** How many of the latest refusals are kept with their reason (the count covers all of them). */
const KEPT = 10;

export interface ActivationRefusal {
  /** ISO time. */
  readonly at: string;
  readonly status: number;
  /** The refusal's message: names what was wrong, never a secret. */
  readonly reason: string;
}

export interface ActivationRefusals {
  readonly count: number;
  readonly latest: readonly ActivationRefusal[];
}

const refusalsSchema = z.object({
  count: z.number().int().nonnegative(),
  latest: z.array(z.object({ at: z.string(), status: z.number().int(), reason: z.string() })),
});

const NONE: ActivationRefusals = { count: 0, latest: [] };

/**
 * The activation attempts an instance refused (a wrong nonce, a replay, another agent's keystore…).
 * An awaiting instance holds no key and cannot alert anyone, so it keeps them on its volume; once
 * activated, the agent it becomes raises one alert about them (DESIGN §12).
 */
export class ActivationRefusalLog {
  readonly #path: string;
  readonly #now: () => number;
  #refusals: ActivationRefusals;
  #writing: Promise<void> = Promise.resolve();

  constructor(path: string, now: () => number = Date.now) {
    this.#path = path;
    this.#now = now;
    this.#refusals = readActivationRefusals(path);
  }

  current(): ActivationRefusals {
    return this.#refusals;
  }

  /** Adds a refusal; the file is rewritten in the background, one write at a time. */
  add(status: number, reason: string): void {
    const refusal = { at: new Date(this.#now()).toISOString(), status, reason };
    this.#refusals = {
      count: this.#refusals.count + 1,
      latest: [...this.#refusals.latest, refusal].slice(-KEPT),
    };
    const text = `${JSON.stringify(this.#refusals, null, 2)}\n`;
    this.#writing = this.#writing.then(() => writeFileAtomic(this.#path, text, 0o600)).catch(() => {});
  }

  /** Resolves once every refusal added so far is on disk (a failed write is left: the count is advisory). */
  flushed(): Promise<void> {
    return this.#writing;
  }
}

/** The refusals kept at `path`; none when the file is missing or unreadable (it is advisory only). */
export function readActivationRefusals(path: string): ActivationRefusals {
  try {
    const parsed = refusalsSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : NONE;
  } catch {
    return NONE;
  }
}

/** One line per kept refusal, for an alert's message. */
export function describeRefusals(refusals: ActivationRefusals): string {
  const lines = refusals.latest.map((refusal) => `${refusal.at} (${refusal.status}): ${refusal.reason}`);
  const older = refusals.count - refusals.latest.length;
  return [...lines, ...(older > 0 ? [`and ${older} older`] : [])].join("\n");
}
