import { z } from "zod";

/**
 * Every setting of the agent, with its default. Loaded from a YAML file, then `AGENT_*` environment
 * variables, then command-line flags (see load-config.ts). Durations are milliseconds unless the
 * name says otherwise; money is USD unless the name says otherwise.
 */

const positive = () => z.number().positive();
const nonNegative = () => z.number().min(0);
const fraction = () => z.number().min(0).max(1);
const percent = () => z.number().min(0).max(100);
const httpUrl = () => z.url({ protocol: /^https?$/ });

const alertSeverityNames = ["low", "medium", "high", "critical"] as const;

function rateLimitSchema() {
  return z.strictObject({
    burst: z.number().int().min(1).default(5),
    perHour: positive().default(30),
  });
}

/** The settings every alert channel has. */
function alertChannelFields() {
  return {
    minSeverity: z.enum(alertSeverityNames).optional(),
    rateLimit: rateLimitSchema().optional(),
  };
}

function alertChannelSchema() {
  return z.strictObject(alertChannelFields()).prefault({});
}

export const networkNames = ["devnet", "sandbox", "mainnet"] as const;
export type NetworkName = (typeof networkNames)[number];

function endpointsSchema(defaults: { chainId: string; rpc: string; grpc: string; consoleApi: string }) {
  return z
    .strictObject({
      chainId: z.string().min(1).default(defaults.chainId),
      rpc: httpUrl().default(defaults.rpc),
      grpc: httpUrl().default(defaults.grpc),
      consoleApi: httpUrl().default(defaults.consoleApi),
      /** Tried in order when `rpc` cannot be reached; used only at the height already read or later. */
      rpcFallbacks: z.array(httpUrl()).default([]),
      /** Tried in order when `grpc` cannot be reached; same rule. */
      grpcFallbacks: z.array(httpUrl()).default([]),
    })
    .prefault({});
}

const akashAddressText = () => z.string().regex(/^akash1[02-9ac-hj-np-z]{38,58}$/, "an akash1… address");

/** A positive whole amount in the smallest unit, as digits (YAML numbers are read as their digits). */
const wholeAmount = (unit: string, example: string) =>
  z.coerce
    .string()
    .regex(
      /^[1-9]\d*$/,
      `a whole amount of ${unit} above 0, in digits (e.g. "${example}"; quote it in YAML)`,
    );

/** A whole amount in the smallest unit, 0 allowed, as digits (YAML numbers are read as their digits). */
const wholeAmountOrZero = (unit: string, example: string) =>
  z.coerce
    .string()
    .regex(
      /^(0|[1-9]\d*)$/,
      `a whole amount of ${unit}, 0 or more, in digits (e.g. "${example}"; quote it in YAML)`,
    );

/** What may start a birth on its own (DESIGN §13; the seed's five triggers). */
export const reproductionTriggerNames = [
  "high_load",
  "geographic_demand",
  "redundancy",
  "specialization",
  "scheduled",
] as const;
export type ReproductionTriggerName = (typeof reproductionTriggerNames)[number];

const evmAddressText = () => z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x… EVM address (40 hex digits)");

/** Where the Cronos leg of the treasury is reached; every field is needed for the leg to be used. */
function cronosEndpointsSchema(defaults: {
  rpc?: string;
  chainId?: number;
  router?: string;
  wcro?: string;
  akt?: string;
}) {
  const withDefault = <T extends z.ZodType>(schema: T, value: z.infer<T> | undefined) =>
    value === undefined ? schema.optional() : schema.default(value as never);
  return z
    .strictObject({
      rpc: withDefault(httpUrl(), defaults.rpc),
      chainId: withDefault(z.number().int().positive(), defaults.chainId),
      /** The Uniswap V2 router (VVS Finance on Cronos mainnet). */
      router: withDefault(evmAddressText(), defaults.router),
      /** Wrapped CRO, the router's WETH. */
      wcro: withDefault(evmAddressText(), defaults.wcro),
      /** The AKT IBC voucher token with `send_to_ibc`. */
      akt: withDefault(evmAddressText(), defaults.akt),
    })
    .prefault({});
}

export const configSchema = z.strictObject({
  network: z.enum(networkNames).default("devnet"),
  /**
   * `bootstrap`: the process a person starts (`akash-agent run`); `deployed`: the agent image inside its
   * own lease, started by the provider with AGENT_ROLE=deployed, waiting for activation (DESIGN §12).
   */
  role: z.enum(["bootstrap", "deployed"]).default("bootstrap"),
  dataDir: z.string().min(1).default(".agent-data"),

  networks: z
    .strictObject({
      sandbox: endpointsSchema({
        chainId: "sandbox-2",
        rpc: "https://rpc.sandbox-2.aksh.pw:443",
        grpc: "https://grpc.sandbox-2.aksh.pw:9090",
        consoleApi: "https://console-api-sandbox.akash.network",
      }),
      mainnet: endpointsSchema({
        chainId: "akashnet-2",
        rpc: "https://rpc.akashnet.net:443",
        grpc: "https://grpc.akashnet.net:443",
        consoleApi: "https://console-api.akash.network",
      }),
    })
    .prefault({}),

  devnet: z
    .strictObject({
      /** Control URL of a devnet started with `akash-agent devnet`; unset = `run` starts one (see inProcess). */
      url: httpUrl().optional(),
      blockTimeMs: z.number().int().min(10).max(60_000).default(1000),
      providers: z.number().int().min(1).max(50).default(5),
      /** Without url: start the devnet inside the `run` process (it then stops with it) instead of as its own process. */
      inProcess: z.boolean().default(false),
    })
    .prefault({}),

  keystore: z
    .strictObject({
      backend: z.enum(["file", "env"]).default("file"),
      /** Relative paths are resolved against dataDir. */
      path: z.string().min(1).default("keystore.json"),
    })
    .prefault({}),

  agent: z
    .strictObject({
      relayName: z.string().min(1).default("akash-agent-relay"),
      relayDomain: z.string().min(1).default("relay.example.com"),
      /** The image the repository's Dockerfile builds (`docker build -t <this> .`). */
      image: z.string().min(1).default("ghcr.io/akash-agent/agent-relay:0.1.0"),
      /** `relay`: one agent-relay service with a persistent volume; `nostream`: plus the seed's postgres and redis. */
      sdlProfile: z.enum(["relay", "nostream"]).default("relay"),
      role: z.enum(["root", "replica", "specialized"]).default("root"),
      parentAgentId: z.string().min(1).optional(),
      /**
       * `auto`: once the lease is active, hand over to the deployed image when it offers activation
       * (GET /api/activation), else keep managing the lease from here; `off`: never hand over.
       */
      handover: z.enum(["auto", "off"]).default("auto"),
      /** How long the handover waits for the deployed instance's activation offer, then for a quiet agent. */
      handoverTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(120_000),
      /**
       * `run --guardian`: how long the agent's heartbeats must be silent (and its leader's lease gone)
       * before the guardian takes it back; unset: 5 × heartbeat.intervalMs.
       */
      guardianSilenceMs: z.number().int().min(1_000).optional(),
    })
    .prefault({}),

  budget: z
    .strictObject({
      /** What the agent aims to pay for its own lease, per day. */
      targetUsdPerDay: positive().default(5),
      /** Price of one ACT in USD (ACT is ~1 USD by design). */
      actUsd: positive().default(1),
      /** Fallback AKT price in USD when no oracle price is available. */
      aktUsd: positive().default(0.5),
      /**
       * Hard cap on everything the agent spends in one UTC day, deployment deposits included (a
       * move holds two until the old one closes and its escrow is refunded): at the default budget
       * a deposit is $15, so two deposits and a top-up fit.
       */
      dailySpendCapUsd: positive().default(50),
      /** Hard cap on the funds given to one child agent. */
      childAllocationCapUsd: positive().default(50),
      /** The treasury never goes below this to fund children. */
      treasuryMinimumUsd: nonNegative().default(20),
      /**
       * Reference price of one CRO in USD: the slippage check compares a DEX quote with the AKT oracle
       * price over this, and the runway counts CRO at it.
       */
      croUsd: positive().default(0.1),
      /** Most one CRO→AKT swap may spend, in USD at `croUsd`. */
      perSwapCapUsd: positive().default(50),
    })
    .prefault({}),

  traffic: z
    .strictObject({
      /** Relay events per second the first deployment is sized for (until the relay measures its own). */
      eventsPerSecond: nonNegative().default(0),
      /** Open relay connections the first deployment is sized for. */
      connections: nonNegative().default(0),
      /** GiB of relay data the first deployment must hold (storage keeps 50% headroom over it). */
      storageUsedGib: nonNegative().default(0),
    })
    .prefault({}),

  escrow: z
    .strictObject({
      /** Top up when escrow runway falls under this many hours. */
      topUpBelowHours: positive().default(24),
      /** A top-up brings runway back to this many hours. */
      topUpToHours: positive().default(72),
    })
    .prefault({}),

  thresholds: z
    .strictObject({
      memoryPercent: percent().default(90),
      diskPercent: percent().default(85),
      cpuPercent: percent().default(95),
      walletRunwayDays: positive().default(7),
      /** Consecutive failed checks before a provider is called degraded. */
      degradedAfterFailures: z.number().int().min(1).default(3),
    })
    .prefault({}),

  scoring: z
    .strictObject({
      priceWeight: nonNegative().default(40),
      uptimeWeight: nonNegative().default(30),
      reputationWeight: nonNegative().default(20),
      diversityWeight: nonNegative().default(10),
    })
    .prefault({}),

  bidding: z
    .strictObject({
      /** Stop collecting bids once this many arrived... */
      minBids: z.number().int().min(1).max(20).default(3),
      /** ...or when this window closes, whichever comes first. */
      windowMs: positive().default(60_000),
      /**
       * ...or, sooner, this many blocks after the order, if any bid is on chain by then: every bid
       * there is evaluated. 0 (default) = the count and the window only. On the devnet every provider
       * bids in the block after the order, so `minBids` is met there anyway; on a market where bids
       * come over several blocks (the simulator's: 3–40 s) an early evaluation chooses from fewer bids
       * and pays more (docs/simulator.md).
       */
      settleBlocks: z.number().int().min(0).max(100).default(0),
      /**
       * Once `minBids` are on chain, bids are still read until none has come for this many blocks (or
       * the window closes, or the chain's 20 bids per order are in, or every registered provider the
       * chain would accept a bid from on the order has bid): providers bid over several blocks,
       * and the cheapest often comes after the first few (the simulator: 1.50× the cheapest-bid cost
       * with 0, 1.00× with 2). 0 = decide as soon as `minBids` are there.
       */
      quietBlocks: z.number().int().min(0).max(100).default(2),
      /** Deployment attempts on different providers before giving up. */
      maxAttempts: z.number().int().min(1).default(3),
      /** Providers whose bids rank after every other bid (a child avoids its family's providers). */
      avoidProviders: z.array(akashAddressText()).default([]),
    })
    .prefault({}),

  reproduction: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxChildren: z.number().int().min(0).default(3),
      /** Children may spawn children of their own only when this is true. */
      childrenMayReproduce: z.boolean().default(false),
      highLoadShare: fraction().default(0.8),
      geographicShare: fraction().default(0.3),
      minAgents: z.number().int().min(1).default(3),
      videoShare: fraction().default(0.2),
      scheduledEveryDays: positive().default(30),
      /** Each child's escrow DepositAuthorization limit, uact (the chain caps its deposits at this). */
      childBudgetUact: wholeAmount("uact", "50000000").default("50000000"),
      /** Each child's feegrant BasicAllowance limit, uakt (the chain caps its fees at this). */
      childFeeBudgetUakt: wholeAmount("uakt", "5000000").default("5000000"),
      /**
       * CRO (wei) sent to each child's Cronos address at its birth, for its treasury's swaps; "0" sends
       * none. Counts against budget.dailySpendCapUsd, budget.childAllocationCapUsd and
       * budget.perSwapCapUsd at budget.croUsd; swept back when the child retires.
       */
      childCroWei: wholeAmountOrZero("wei", "100000000000000000000").default("0"),
      /** Both grants expire this many days after the child's birth. */
      grantDays: positive().default(30),
      /** How often the parent looks at its children's heartbeats. */
      heartbeatCheckMs: positive().default(60_000),
      /** A child whose last heartbeat is older than this is silent. */
      silenceThresholdMs: positive().default(600_000),
      /** The automatic triggers that may start a birth. */
      triggers: z.array(z.enum(reproductionTriggerNames)).default([...reproductionTriggerNames]),
      /**
       * Set on a child (its parent's accounts): its deposits draw on the parent's grant and its fees
       * go through the parent's feegrant; it cannot mint ACT.
       */
      parent: z
        .strictObject({
          akash: z
            .string({ error: "missing: a child's parent needs both akash and npub" })
            .regex(/^akash1[02-9ac-hj-np-z]{38,58}$/, "an akash1… address"),
          npub: z
            .string({ error: "missing: a child's parent needs both akash and npub" })
            .regex(/^npub1[02-9ac-hj-np-z]{58}$/, "an npub1… key (NIP-19)"),
        })
        .optional(),
    })
    .prefault({}),

  keyRotation: z
    .strictObject({
      /**
       * Unset: on with a keystore file, off (with a warning) with one that cannot save a rotated
       * index (AGENT_MNEMONIC). true with such a keystore is refused at start.
       */
      enabled: z.boolean().optional(),
      akashDays: positive().default(30),
      paymentDays: positive().default(30),
      identityDays: positive().default(90),
      encryptionDays: positive().default(90),
      graceHours: positive().default(24),
    })
    .prefault({}),

  intervals: z
    .strictObject({
      healthCheckMs: positive().default(30_000),
      balancePollMs: positive().default(10_000),
      reproductionCheckMs: positive().default(3_600_000),
      /** How often a waiting step looks at the chain or the provider again (the devnet uses its block time). */
      chainPollMs: positive().default(2_000),
      /** First retry delay of a failed step; it doubles up to maxBackoffMs. */
      baseBackoffMs: positive().default(1_000),
      maxBackoffMs: positive().default(60_000),
      /** Retries of one step before it counts as a failed attempt. */
      stepRetries: z.number().int().min(0).default(5),
    })
    .prefault({}),

  timeouts: z
    .strictObject({
      /** A lease must show up active on chain this soon after MsgCreateLease. */
      leaseConfirmMs: positive().default(120_000),
      /** The services must be ready this soon after the manifest is sent. */
      servicesReadyMs: positive().default(300_000),
      /** Minted ACT must settle this soon (BME settles per epoch). */
      mintSettleMs: positive().default(180_000),
      /** A provider `/status` slower than this counts as unresponsive. */
      slowProviderMs: positive().default(5_000),
      /** A treasury request with no answer is sent again after this long. */
      treasuryRequestMs: positive().default(30_000),
      /** A shutdown waits this long for the lease to close. */
      shutdownMs: positive().default(120_000),
    })
    .prefault({}),

  treasury: z
    .strictObject({
      /** AKT always kept for fees; under it an emergency swap is wanted. */
      feeReserveAkt: nonNegative().default(1),
      /** AKT bought by one emergency CRO→AKT swap. */
      swapChunkAkt: positive().default(10),
      /** A swap whose quote is this much worse than the oracle price (fee and price impact included) is refused. */
      slippageCapPercent: z.number().gt(0).max(50).default(3),
      /** ACT kept minted ahead of need, in USD; 0 = one deployment deposit plus one top-up. */
      actFloatUsd: nonNegative().default(0),
      /** Runway (days) under which the agent is frugal: no reproduction. */
      frugalBelowDays: positive().default(30),
      /** Runway (days) under which the agent is critical: cheapest viable SDL too. Must be below frugalBelowDays. */
      criticalBelowDays: positive().default(7),
      /** Highest EIP-1559 maxFeePerGas the agent pays on Cronos, in gwei. */
      gasFeeCeilingGwei: positive().default(10_000),
      /** A Cronos transaction not mined after this long is replaced (same nonce, higher fees). */
      stuckTxAfterMs: positive().default(120_000),
      /** Seconds a swap may wait in the mempool before the router refuses it (its deadline). */
      swapDeadlineSeconds: z.number().int().min(30).default(1_200),
      /** Longest wait for bridged AKT to arrive on Akash (the IBC timeout is one day). */
      bridgeWaitMs: positive().default(90_000_000),
      /** Cronos endpoints per network (the devnet's come from the devnet itself). */
      cronos: z
        .strictObject({
          mainnet: cronosEndpointsSchema({
            rpc: "https://evm.cronos.org",
            chainId: 25,
            router: "0x145863Eb42Cf62847A6Ca784e6416C1682b1b2Ae",
            wcro: "0x5C7F8A570d578ED84E63fdFA7b1eE72dEae1AE23",
            akt: "0x39a65A74Dc5A778Ff93d1765Ea51F57BC49c81B3",
          }),
          /** Unset by default: sandbox runs without the Cronos leg unless these are given. */
          sandbox: cronosEndpointsSchema({}),
        })
        .prefault({}),
    })
    .prefault({}),

  providers: z
    .strictObject({
      /** Auditor accounts whose signed provider attributes count as audited in bid scoring. */
      trustedAuditors: z
        .array(z.string().regex(/^akash1[02-9ac-hj-np-z]{38,58}$/, "an akash1… address"))
        .default([]),
    })
    .prefault({}),

  alerts: z
    .strictObject({
      console: z.boolean().default(true),
      webhooks: z.array(httpUrl()).default([]),
      minSeverity: z.enum(alertSeverityNames).default("medium"),
      /** Each channel's own minimum severity (unset: `minSeverity`) and rate limit (unset: `rateLimit`). */
      consoleChannel: alertChannelSchema(),
      /** The `webhooks` URLs; the HMAC secret is AGENT_WEBHOOK_SECRET (see README). */
      webhook: alertChannelSchema(),
      /** On when AGENT_SLACK_WEBHOOK_URL is set (the URL's path is a secret, so it is not a setting). */
      slack: alertChannelSchema(),
      /** On when `chatId` is set; the bot token is AGENT_TELEGRAM_BOT_TOKEN. */
      telegram: z
        .strictObject({
          ...alertChannelFields(),
          chatId: z
            .string()
            .regex(/^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,})$/, "a numeric chat id or @channelname")
            .optional(),
          apiBase: httpUrl().default("https://api.telegram.org"),
        })
        .prefault({}),
      /** NIP-17 DMs to these operators (npub1…), sent to `nostr.relays`. */
      nostr: z
        .strictObject({
          ...alertChannelFields(),
          npubs: z
            .array(z.string().regex(/^npub1[02-9ac-hj-np-z]{58}$/, "an npub1… key (NIP-19)"))
            .default([]),
        })
        .prefault({}),
      /** Token bucket per channel: up to `burst` at once, refilled at `perHour`; the rest wait their turn. */
      rateLimit: rateLimitSchema().prefault({}),
      /** An incident still open this long after its alert is alerted again (a reminder). */
      remindAfterMs: positive().default(86_400_000),
      /** Retries of a failed delivery, with exponential backoff from `retryBaseMs` to `retryCapMs`. */
      maxAttempts: z.number().int().min(1).max(1000).default(20),
      retryBaseMs: positive().default(2_000),
      retryCapMs: positive().default(600_000),
    })
    .prefault({}),

  nostr: z
    .strictObject({
      /** Relays for alerts, heartbeats and the relay list (wss://…); empty: the devnet's relay on the devnet. */
      relays: z.array(z.url({ protocol: /^wss?$/ })).default([]),
      /** How long one publish waits for a relay's OK. */
      publishTimeoutMs: positive().default(10_000),
    })
    .prefault({}),

  upgrade: z
    .strictObject({
      /** How long a new version's canary must pass its checks before the agent hands over to it. */
      monitorMinutes: z.number().positive().max(1_440).default(10),
      /** How long the old instance stands by after the handover, ready to take the agent back. */
      rollbackWindowMinutes: z.number().min(0).max(10_080).default(30),
      /** How often the canary, then the new leader, is checked. */
      checkIntervalMs: z.number().int().min(250).max(600_000).default(5_000),
      /** Failed checks in a row that make a canary or a new leader unhealthy (a rollback follows). */
      failedChecks: z.number().int().min(1).max(100).default(3),
    })
    .prefault({}),

  heartbeat: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** A signed heartbeat (replaceable kind 30420, d tag `akash-agent/heartbeat`) this often. */
      intervalMs: z.number().int().min(1_000).default(60_000),
    })
    .prefault({}),

  http: z
    .strictObject({
      /** Where the agent's HTTP port (relay, routes, live page) listens; 0.0.0.0 inside a container. */
      host: z.string().min(1).default("127.0.0.1"),
      /** 0 picks a free port. */
      port: z.number().int().min(0).max(65_535).default(8080),
    })
    .prefault({}),

  admin: z
    .strictObject({
      /** Nostr keys (npub1… or hex) allowed to call /api/admin/* with NIP-98, besides the agent's own. */
      npubs: z
        .array(
          z
            .string()
            .regex(/^(npub1[02-9ac-hj-np-z]{58}|[0-9a-f]{64})$/, "an npub1… key or 64 hex characters"),
        )
        .default([]),
    })
    .prefault({}),

  backup: z
    .strictObject({
      /** Encrypted backups of the store on Arweave after each milestone and on a schedule (§15). */
      enabled: z.boolean().default(true),
      /** A scheduled backup this many minutes after the last one (milestones back up at once). */
      intervalMinutes: z.number().int().min(1).max(10_080).default(360),
      /** Relays for the backup pointer (kind 30078); empty = the network's relay (the devnet's own). */
      relays: z.array(z.url({ protocol: /^wss?$/ })).default([]),
      /** Arweave gateway the backups are posted to and read from; unset = the devnet's, else arweave.net. */
      gateway: httpUrl().optional(),
      /** How long a backup waits for the gateway to serve its upload before the pointer moves to it. */
      availableTimeoutMs: positive().default(600_000),
    })
    .prefault({}),

  log: z
    .strictObject({
      level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
      json: z.boolean().default(false),
    })
    .prefault({}),
});

export type NetworkEndpoints = AgentConfig["networks"]["mainnet"];
export type AgentConfig = z.infer<typeof configSchema>;
