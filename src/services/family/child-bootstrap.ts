import { z } from "zod";
import type { AgentConfig } from "../../config/index.js";
import type { ArweaveJwk } from "../keys/arweave-key.js";
import type { Secret } from "../keys/secret.js";
import { type ChildCliRun, runChildCli } from "./child-cli-run.js";
import {
  type ChildParent,
  type ChildSettings,
  type ChildSettingValue,
  childEnvironment,
} from "./child-environment.js";
import { ChildRunFailedError } from "./family-errors.js";

/** The public identity of the child being born (as `childIdentity` derives it). */
export interface ChildIdentityRef {
  readonly index: number;
  readonly childId: string;
  readonly akash: string;
  readonly npub: string;
}

/** Where a child lives once it leads itself. */
export interface ChildLocation {
  readonly dseq: string;
  readonly provider: string;
  /** host:port of the child's instance (its API and relay). */
  readonly uri: string;
  /** The leadership generation the child's instance leads. */
  readonly generation: number;
}

export interface ChildRunInput {
  /**
   * The agent's CLI as an argv prefix: this package's own built entry point, the one the devnet runs for
   * agent images (`ownCliCommand()` of src/devnet/agent-entry-point.ts: `node dist/main.js`).
   */
  readonly cli: readonly string[];
  readonly parentConfig: Pick<AgentConfig, "network" | "devnet" | "reproduction">;
  /** The parent's public addresses (`reproduction.parent` of the child); null: the child pays its own way. */
  readonly parent: ChildParent | null;
  /** The child's mnemonic (derived from the parent's): it goes only into the child's `AGENT_MNEMONIC`. */
  readonly childMnemonic: Secret<string>;
  /** The child's Arweave wallet, without which it makes no backups (and cannot be resurrected from one). */
  readonly childArweaveJwk?: Secret<ArweaveJwk>;
  readonly child: ChildIdentityRef;
  /** The child's data directory on the parent's machine (`<parent dataDir>/children/<childId>`). */
  readonly dataDir: string;
  readonly avoidProviders: readonly string[];
  /** The parent's relays plus the parent's own relay. */
  readonly relays: readonly string[];
  /** Further child settings by dotted key (image, SDL profile, intervals…). */
  readonly settings?: Readonly<Record<string, ChildSettingValue>>;
  readonly signal?: AbortSignal;
  /** Every line the child's run writes, redacted. */
  readonly onProgress?: (line: string) => void;
  /** After an abort's SIGTERM, how long the child's run gets before SIGKILL (default 30 s). */
  readonly killAfterMs?: number;
}

/** What `run --until handed-over --json` prints. */
const handedOverSchema = z.object({
  state: z.literal("handed_over"),
  generation: z.number().int().min(1),
  leader: z.object({ dseq: z.string().regex(/^\d+$/), provider: z.string().min(1), uri: z.string().min(1) }),
});

/** The child's settings as the parent decides them. */
export function childSettingsOf(input: ChildRunInput): ChildSettings {
  const { parentConfig } = input;
  return {
    network: parentConfig.network,
    devnetUrl: parentConfig.network === "devnet" ? (parentConfig.devnet.url ?? null) : null,
    parent: input.parent,
    relays: input.relays,
    avoidProviders: input.avoidProviders,
    reproductionEnabled: parentConfig.reproduction.childrenMayReproduce,
    extra: { "log.json": true, "log.level": "info", ...input.settings },
  };
}

/** The arguments of the child's `run`; the devnet's URL is named on the command line as an operator would. */
export function childRunArgs(settings: ChildSettings, extra: readonly string[] = []): string[] {
  return [
    "run",
    ...extra,
    "--until",
    "handed-over",
    "--json",
    ...(settings.devnetUrl ? ["--devnet-url", settings.devnetUrl] : []),
  ];
}

/** The last line of stdout that is the handover's JSON, as a location. */
export function parseHandedOver(stdout: readonly string[], what: string, lastLines: readonly string[]) {
  for (const line of [...stdout].reverse()) {
    if (!line.trim().startsWith("{")) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = handedOverSchema.safeParse(value);
    if (parsed.success) {
      const { generation, leader } = parsed.data;
      return { dseq: leader.dseq, provider: leader.provider, uri: leader.uri, generation };
    }
  }
  throw new ChildRunFailedError(
    `${what} exited 0 but printed no handover ({ "state": "handed_over", "generation", "leader" }) on stdout`,
    0,
    lastLines,
  );
}

/**
 * A child is born by the operator's own bootstrap path (DESIGN §13): `run --until handed-over --json`
 * on the child's data dir, as its own process, with the child's keys and config. The bootstrap is
 * crash-safe, so calling this again on the same data dir resumes a birth that was killed or aborted
 * (no second deployment), and for a child already handed over it prints where the child lives.
 */
export async function runChildBootstrap(input: ChildRunInput): Promise<ChildLocation> {
  const settings = childSettingsOf(input);
  const what = `the birth of child ${input.child.index} (${input.child.childId})`;
  const outcome = await runChildCli(childCliRun(input, childRunArgs(settings), what));
  return parseHandedOver(outcome.stdout, what, outcome.lastLines);
}

/** One CLI run of the child, with its keys, its settings and the caller's signal and progress. */
export function childCliRun(input: ChildRunInput, args: readonly string[], what: string): ChildCliRun {
  return {
    command: input.cli,
    args,
    dataDir: input.dataDir,
    env: childEnvironment(childSettingsOf(input)),
    mnemonic: input.childMnemonic,
    ...(input.childArweaveJwk ? { arweaveJwk: input.childArweaveJwk } : {}),
    what,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.killAfterMs !== undefined ? { killAfterMs: input.killAfterMs } : {}),
  };
}
