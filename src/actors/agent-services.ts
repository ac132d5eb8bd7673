import type { AgentVersion } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import type { AkashAccounts } from "../services/akash/akash-accounts.js";
import type { AkashChain, ProviderDirectory, ProviderGateway } from "../services/akash/akash-service.js";
import type { ChildGrants } from "../services/akash/child-grants.js";
import type { IngressResolver } from "../services/akash/ingress-dns.js";
import type { AgentKeys, KeystoreBackend } from "../services/keys/index.js";
import type { AgentAnnouncer } from "../services/nostr/index.js";
import type { AgentStore } from "../services/store/index.js";
import type { CronosTreasury } from "./cronos-treasury.js";
import type { FamilyOperations } from "./family-operations.js";
import type { MetricsSource } from "./metrics-source.js";
import type { SdlFactory } from "./sdl-factory.js";
import type { SelfHosting } from "./self-hosting.js";
import type { SiblingOperations } from "./sibling-operations.js";

/** Timings and policy the actors need (from config; tests shrink them). */
export interface ActorSettings {
  /** How often waiting actors look at the chain or the provider again. */
  pollIntervalMs: number;
  /** How long a lease may take to appear active on chain after MsgCreateLease. */
  leaseConfirmTimeoutMs: number;
  /** How long the services may take to become ready after the manifest is sent. */
  servicesReadyTimeoutMs: number;
  /** How long minted ACT may take to settle. */
  mintSettleTimeoutMs: number;
  /** A provider `/status` slower than this counts as unresponsive. */
  slowProviderMs: number;
  blockSeconds: number;
  actUsd: number;
  /** Used when the chain's oracle has no AKT price. */
  aktUsdFallback: number;
  scoringWeights: { price: number; uptime: number; reputation: number; diversity: number };
  /** Auditor accounts whose signed provider attributes count as audited. */
  trustedAuditors: string[];
  /**
   * Bids are evaluated this many blocks after the order when any is on chain (`bidding.settleBlocks`),
   * before `minBids` or the window; absent or 0: only the count and the window end the collection.
   */
  bidSettleBlocks?: number;
  /**
   * Once `minBids` are on chain, bids are read until none has come for this many blocks
   * (`bidding.quietBlocks`); absent or 0: the count ends the collection at once.
   */
  bidQuietBlocks?: number;
  /** Providers whose bids rank after every other bid (`bidding.avoidProviders`); absent: none. */
  avoidProviders?: readonly string[];
  /**
   * What the treasury's `fundChild` grants besides the deposit budget (reproduction.*); absent: it
   * refuses. `croWei`: CRO sent to each child's Cronos address (`reproduction.childCroWei`; absent or "0": none).
   */
  childFunding?: { feeBudgetUakt: string; grantDays: number; croWei?: string };
  /** How an upgrade's canary is checked (`upgrade.*`); absent: every 5 s, 3 failures in a row. */
  upgradeChecks?: { intervalMs: number; failedChecks: number };
}

/** Everything the actors work with. Built once per agent process by the runtime. */
export interface AgentServices {
  chain: AkashChain;
  gateway: ProviderGateway;
  directory: ProviderDirectory;
  store: AgentStore;
  /**
   * The agent's keys at their current indices. A rotation replaces it when the new index becomes
   * primary, so read it when you use it rather than keeping it. (What is built once from it at start
   * — the Akash signing client, the SDL's identity and workload secrets — comes from keys that do not
   * rotate in this build.)
   */
  keys: AgentKeys;
  keystore: KeystoreBackend;
  sdl: SdlFactory;
  metrics: MetricsSource;
  logger: Logger;
  settings: ActorSettings;
  now: () => number;
  /** Looks up the services' ingress names; absent: the health check does not look (a devnet without DNS). */
  ingress?: IngressResolver;
  /** Which build runs (package version, image), said in heartbeats; absent: they do not say. */
  version?: AgentVersion;
  /** Heartbeats and the relay list on Nostr; absent: the agent announces nothing. */
  announcer?: { publisher: AgentAnnouncer; heartbeatIntervalMs: number };
  /** On the devnet only: tops the agent's account up from the faucet. */
  faucet?: (address: string, uakt: string) => Promise<void>;
  /** The treasury's Cronos leg (CRO → AKT); absent where no Cronos endpoints are configured. */
  cronos?: CronosTreasury;
  /** Present when the agent runs inside its own lease: how it hands over to the next one. */
  selfHosting?: SelfHosting;
  /**
   * The agent's Akash accounts by key index (`chain` and `gateway` above are its primary account);
   * absent: the Akash key does not rotate (an embedding host with one fixed account).
   */
  akashAccounts?: AkashAccounts;
  /** Births, resurrections and retirements of child agents; absent: this agent cannot act on a family. */
  family?: FamilyOperations;
  /** A child's resurrections of its siblings when the parent is gone; absent: it never acts for them. */
  siblings?: SiblingOperations;
  /** The agent's grants to its children (authz deposit grant + feegrant); absent: it cannot fund children. */
  childGrants?: ChildGrants;
}
