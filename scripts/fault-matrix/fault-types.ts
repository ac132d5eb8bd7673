import type { DevnetHandle } from "../../src/devnet/index.js";
import type { LeaseView } from "../../src/runtime/lease-view.js";
import type { OwnerChainReader } from "../../support/owner-chain-footprint.js";
import type { TestAgent } from "../../test/support/agent-harness.js";
import type { JumpableClock } from "./jumpable-clock.js";

/** The devnet services a fault needs beside the Akash node and providers. */
export type DevnetPart = "cronos" | "arweave" | "nostr" | "receivers";

/**
 * What the row's agent must end in, per the failure policy:
 * - `ride-out`: the lease stays where it is (same deployment and provider), serving again once the fault ends;
 * - `move`: the lease ends active elsewhere (another provider or another deployment);
 * - `deploy`: a fault met while deploying is retried and the deployment reaches active;
 * - `escalate`: the agent gives up on the step with an alert, leaving nothing open it does not use.
 */
export type Expectation = "ride-out" | "move" | "deploy" | "escalate";

/** When the fault is injected: before the agent starts (it meets it while deploying) or once it is active. */
export type FaultPhase = "before-start" | "while-active";

export interface RowContext {
  readonly devnet: DevnetHandle;
  readonly reader: OwnerChainReader;
  readonly owner: string;
  readonly clock: JumpableClock;
  /** The running agent (set once it started). */
  agent(): TestAgent;
  /**
   * Starts the agent again on the same data directory and keys, as its supervisor does after the
   * process ended (closes what is left of the old one first).
   */
  restart(): Promise<void>;
  /** The lease as it was when the `while-active` faults were injected (null for a fault met while deploying). */
  readonly baseline: LeaseView | null;
  /** What the whole row expects (a pair's strongest): a ride-out in a row that moves need not stay put. */
  readonly rowExpect: Expectation;
  /** Alert ids the agent held before the faults were injected. */
  readonly alertsBefore: ReadonlySet<string>;
  /** What a fault learns while injecting (e.g. the provider it took offline), for its `clear`. */
  readonly facts: Map<string, string>;
}

/** What a fault's own wait saw: the moment its outcome was reached, and a line about it. */
export interface Settled {
  readonly at: number;
  readonly detail: string;
}

export interface Fault {
  readonly id: string;
  /** The fault, as the issue names it. */
  readonly name: string;
  /** Where and how it is injected. */
  readonly where: string;
  /** What the failure policy says must happen. */
  readonly policy: string;
  readonly expect: Expectation;
  readonly phase: FaultPhase;
  readonly needs?: readonly DevnetPart[];
  /** Agent settings the row needs (dotted keys, as `startTestAgent` takes them). */
  readonly settings?:
    | Readonly<Record<string, unknown>>
    | ((devnet: DevnetHandle) => Readonly<Record<string, unknown>>);
  /** Extra keystore environment (e.g. an Arweave wallet for backups). */
  readonly keystoreEnv?: () => Promise<Record<string, string>>;
  /** Set when the devnet cannot inject this fault: the row is reported, never run. */
  readonly notInjectable?: string;
  /**
   * Set when the row is known to fail and why (a documented limit, not a fake pass): the row still
   * runs and reports what happened; its result is `limit` when it fails.
   */
  readonly knownLimit?: string;
  /**
   * Set when the row fails for a bug found and not fixed yet: the row stays `fail`, with this diagnosis
   * beside it.
   */
  readonly knownBug?: string;
  /** The mnemonic the agent must use (e.g. one whose Arweave wallet is funded); default: a fresh one. */
  readonly mnemonic?: () => Promise<string>;
  /** Where the agent's data directory must be (e.g. on a small filesystem); default: a temporary one. */
  readonly dataDir?: (workDir: string) => Promise<string>;
  /** Undoes what `dataDir` set up, once the agent closed. */
  readonly dispose?: () => Promise<void>;
  inject(context: RowContext): Promise<void>;
  /** Ends the fault; safe to call twice and after a failed inject. */
  clear(context: RowContext): Promise<void>;
  /**
   * Waits for this fault's part of the outcome (it may clear the fault itself, e.g. after a hold for a
   * ride-out); throws when the outcome does not come.
   */
  settle(context: RowContext): Promise<Settled>;
  /** Extra checks once settled (on the chain, the store, the devnet): one line per problem. */
  check?(context: RowContext): Promise<string[]>;
}

export type RowResultKind = "pass" | "fail" | "limit" | "not injectable";

export interface RowResult {
  readonly id: string;
  readonly faults: readonly string[];
  readonly where: string;
  readonly policy: string;
  readonly expect: Expectation;
  readonly happened: string;
  /** From the injection to the outcome (ms); null when it was not reached. */
  readonly recoverMs: number | null;
  readonly alerts: readonly string[];
  readonly funds: string;
  /** Deployments the owner still had open on chain after the agent terminated. */
  readonly orphaned: number | null;
  readonly problems: readonly string[];
  readonly result: RowResultKind;
  readonly note: string | null;
  readonly ms: number;
}
