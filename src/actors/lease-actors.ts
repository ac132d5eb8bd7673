import { fromPromise } from "xstate";
import {
  type BidCandidate,
  EffectError,
  MAX_BIDS_PER_ORDER,
  resourcesForTier,
  scoreBids,
  toEffectFailure,
} from "../domain/index.js";
import type {
  AwaitServicesInput,
  AwaitServicesOutput,
  CloseDeploymentsInput,
  CloseLeaseInput,
  CollectBidsInput,
  CollectBidsOutput,
  ConfirmLeaseInput,
  ConfirmLeaseOutput,
  CreateDeploymentInput,
  CreateLeaseInput,
  EvaluateBidsInput,
  EvaluateBidsOutput,
  GenerateSdlInput,
  GenerateSdlOutput,
  PlanMigrationInput,
  PlanMigrationOutput,
  SendManifestInput,
  StartPausedGroupsInput,
} from "../machines/lease/lease.actors.js";
import { type BidSummary, leaseKey } from "../machines/lease/lease.types.js";
import { treasuryWantsCheapestSdl } from "../machines/treasury/treasury.selectors.js";
import { abortablePause } from "../services/abortable-pause.js";
import type { AuditedProviderInfo } from "../services/akash/akash-types.js";
import type { ConsoleProvider } from "../services/akash/index.js";
import { manifestOfSdl } from "../services/akash/sdl-manifest.js";
import type { AgentServices } from "./agent-services.js";
import { createCanaryActor } from "./canary-actor.js";
import { recordEscrowRefund } from "./escrow-refunds.js";
import { createHandOverActor } from "./handover-actor.js";
import { pollUntil } from "./poll-until.js";
import { possibleBids } from "./possible-bidders.js";

const REGION = "location-region";
/** The first wait before the provider's lease status is read again after the manifest. */
const SERVICES_FIRST_POLL_MS = 250;

/** The lease machine's effects on the real network. */
export function createLeaseActors(services: AgentServices) {
  const { chain, gateway, directory, store, sdl, logger, settings } = services;
  const log = logger.child({ actor: "lease" });
  /** Waits for the next block the node announces (a poll of `ms` when none comes sooner). */
  const nextBlock = (ms: number, signal: AbortSignal) =>
    chain.nextBlock ? chain.nextBlock(ms, signal) : abortablePause(ms, signal);
  /**
   * Bidders' chain records as read while the bids were collected (attributes with their auditors and
   * host URI), reused by the evaluation and the lease; in memory only: after a restart they are read again.
   */
  const bidders = new Map<string, AuditedProviderInfo>();
  /** Leases whose MsgCreateLease this process saw included with code 0: the lease exists, no need to look. */
  const leasesCreated = new Set<string>();

  const deployableManifest = async (
    resources: GenerateSdlInput["resources"],
    dseq: string,
    expectedVersion: string,
    image: string | undefined,
  ) => {
    const deployable = sdl.deployable(resources, dseq, image);
    const manifest = await manifestOfSdl(deployable.yamlWithSecrets());
    if (manifest.manifestVersion !== expectedVersion) {
      throw new EffectError(
        "fatal",
        `the regenerated SDL has manifest version ${manifest.manifestVersion}, the deployment has ${expectedVersion}: the agent's settings changed since it was created`,
      );
    }
    return { deployable, manifest };
  };

  /**
   * The Console API's view of the providers, or none when it cannot be read: scoring then goes on from
   * chain data alone, and the directory is asked again at the next evaluation.
   */
  const readDirectory = async (
    addresses: string[],
  ): Promise<{ providers: ConsoleProvider[]; unavailable: string | null }> => {
    try {
      return { providers: await directory.providers(addresses), unavailable: null };
    } catch (error) {
      const reason = toEffectFailure(error).message;
      log.warn({ reason }, "provider directory unavailable: scoring the bids from chain data alone");
      return { providers: [], unavailable: reason };
    }
  };

  return {
    generateSdl: fromPromise<GenerateSdlOutput, GenerateSdlInput>(async ({ input, system }) => {
      // A treasury in its critical tier takes the cheapest viable SDL for a new deployment or a move
      // (DESIGN §14); a scale-up keeps what it asked for, or it would never end.
      const treasury = system.get("treasury")?.getSnapshot() as
        | { context?: Parameters<typeof treasuryWantsCheapestSdl>[0] }
        | undefined;
      const cheapest =
        input.purpose !== "scale" &&
        treasury?.context !== undefined &&
        treasuryWantsCheapestSdl(treasury.context);
      const resources = resourcesForTier(input.resources, cheapest);
      if (cheapest && JSON.stringify(resources) !== JSON.stringify(input.resources)) {
        log.warn(
          { asked: input.resources, resources },
          "the treasury is critical: deploying the cheapest viable resources",
        );
      }
      // A dseq is unique per owner forever; the block height is the usual choice, bumped past
      // any dseq this agent already used. It comes first: the SDL carries the dseq's activation nonce.
      const [height, active] = await Promise.all([chain.height(), chain.activeDeployments()]);
      const used = active.map((deployment) => BigInt(deployment.dseq));
      const dseq = [BigInt(height), ...used.map((value) => value + 1n)].reduce((a, b) => (a > b ? a : b));
      const deployable = sdl.deployable(resources, dseq.toString(), input.image);
      const manifest = await manifestOfSdl(deployable.yamlWithSecrets());
      log.info(
        {
          dseq: dseq.toString(),
          purpose: input.purpose,
          resources,
          maxPriceUact: deployable.maxPricePerBlock,
        },
        "generated the SDL",
      );
      return {
        dseq: dseq.toString(),
        manifestVersion: manifest.manifestVersion,
        resources,
        maxPriceUact: deployable.maxPricePerBlock,
        owner: chain.owner,
        image: input.image ?? sdl.image,
      };
    }),

    createDeployment: fromPromise<void, CreateDeploymentInput>(async ({ input }) => {
      const { deployment } = input;
      const keep = new Set([...input.keepDseqs, deployment.dseq]);
      for (const orphan of await chain.activeDeployments()) {
        if (keep.has(orphan.dseq)) continue;
        log.warn({ dseq: orphan.dseq }, "closing a deployment the agent no longer holds (orphan)");
        const key = `${input.key}:orphan:${orphan.dseq}`;
        recordEscrowRefund(store, { key, result: await chain.closeDeployment({ key, dseq: orphan.dseq }) });
      }
      const { deployable } = await deployableManifest(
        deployment.resources,
        deployment.dseq,
        deployment.manifestVersion,
        deployment.image,
      );
      log.info({ dseq: deployment.dseq, depositUact: input.depositUact }, "creating the deployment");
      const result = await chain.createDeployment({
        key: input.key,
        dseq: deployment.dseq,
        sdlYaml: deployable.yamlWithSecrets(),
        manifestVersion: deployment.manifestVersion,
        depositUact: input.depositUact,
      });
      store.spending.record({
        key: input.key,
        kind: "deployment_deposit",
        denom: "uact",
        amount: input.depositUact,
        ...(result.txHash ? { txHash: result.txHash } : {}),
      });
      log.info(
        { dseq: deployment.dseq, alreadyDone: result.alreadyDone },
        "deployment on chain: waiting for bids",
      );
    }),

    startPausedGroups: fromPromise<void, StartPausedGroupsInput>(async ({ input }) => {
      const { dseq } = input;
      // A start recorded before a crash is finished first under its own key: the executor follows its
      // tx, or sees the group open, and marks it done (a group read open here is no proof of that).
      for (const intent of store.intents.pending("start_group")) {
        if (!intent.key.startsWith(`${input.key}:`)) continue;
        const gseq = Number(intent.key.slice(input.key.length + 1).split(":")[0]);
        log.info({ dseq, gseq, key: intent.key }, "finishing a group start recorded before a restart");
        await chain.startGroup({ key: intent.key, dseq, gseq });
      }
      const paused = (await chain.groups(dseq)).filter((group) => group.state === "paused");
      if (paused.length === 0) return;
      const leases = await chain.leases(dseq);
      for (const group of paused) {
        // Each pause follows the close of one lease: the group's last order names this start, so a
        // restart finds its recorded intent, and a later pause of the same group gets a start of its own.
        const lastOseq = leases
          .filter((lease) => lease.gseq === group.gseq)
          .reduce((last, lease) => Math.max(last, lease.oseq), 0);
        const key = `${input.key}:${group.gseq}:${lastOseq}`;
        log.warn(
          { dseq, gseq: group.gseq, closedOseq: lastOseq },
          "the group is paused (its provider closed the lease): starting it again for a new order",
        );
        const result = await chain.startGroup({ key, dseq, gseq: group.gseq });
        log.info({ dseq, gseq: group.gseq, alreadyDone: result.alreadyDone }, "group started");
      }
    }),

    collectBids: fromPromise<CollectBidsOutput, CollectBidsInput>(async ({ input, signal }) => {
      const excluded = new Set(input.excludedProviders);
      const deadline = services.now() + input.windowMs;
      // With `bidding.settleBlocks`, whatever is on chain that many blocks after the order is
      // evaluated (the count and the window stay as the fallbacks). A rebid's order reopens now, not
      // at the deployment's creation.
      const settleBlocks = settings.bidSettleBlocks ?? 0;
      let settleAt = Number.POSITIVE_INFINITY;
      let height = 0;
      if (settleBlocks > 0) {
        const [deployment, startHeight] = await Promise.all([chain.deployment(input.dseq), chain.height()]);
        settleAt = Math.max(deployment?.createdAtHeight ?? 0, startHeight - 1) + settleBlocks;
      }
      // With `bidding.quietBlocks`, the count is enough only once no new bid came for that many blocks,
      // or once every provider the chain would accept a bid from (but those excluded) has bid: no
      // other bid can come.
      const quietBlocks = settings.bidQuietBlocks ?? 0;
      const possibleBidders =
        quietBlocks > 0 ? await possibleBids(chain, input.dseq, excluded, log) : Number.POSITIVE_INFINITY;
      let lastNewBidHeight = 0;
      let seen = -1;
      const open = await pollUntil({
        signal,
        intervalMs: settings.pollIntervalMs,
        deadline,
        now: services.now,
        pause: nextBlock,
        read: async () => {
          const [bids, current] = await Promise.all([chain.bids(input.dseq), chain.height()]);
          height = current;
          const usable = bids.filter((bid) => bid.state === "open" && !excluded.has(bid.provider));
          if (usable.length !== seen) {
            if (usable.length > seen) lastNewBidHeight = current;
            seen = usable.length;
            log.info(
              { dseq: input.dseq, bids: usable.length, wanted: input.minBids, height },
              "bids received",
            );
          }
          return usable;
        },
        done: (bids) =>
          (bids.length >= input.minBids &&
            (bids.length >= Math.min(MAX_BIDS_PER_ORDER, possibleBidders) ||
              height >= lastNewBidHeight + quietBlocks)) ||
          (bids.length > 0 && height >= settleAt),
      });
      if (open.length > 0 && open.length < input.minBids && height >= settleAt) {
        log.info(
          { dseq: input.dseq, bids: open.length, height, settleBlocks },
          "evaluating the bids on chain bidding.settleBlocks after the order",
        );
      }
      bidders.clear();
      const providers = await Promise.all(open.map((bid) => chain.auditedProvider(bid.provider)));
      return {
        bids: open.map((bid, index) => {
          const provider = providers[index];
          if (provider) bidders.set(bid.provider, provider);
          const region = provider?.attributes.find((attribute) => attribute.key === REGION)?.value;
          return {
            dseq: bid.dseq,
            gseq: bid.gseq,
            oseq: bid.oseq,
            provider: bid.provider,
            priceUact: bid.priceUact,
            ...(region ? { region } : {}),
          } satisfies BidSummary;
        }),
      };
    }),

    evaluateBids: fromPromise<EvaluateBidsOutput, EvaluateBidsInput>(async ({ input }) => {
      const directoryRead = await readDirectory(input.bids.map((bid) => bid.provider));
      const listed = new Map(directoryRead.providers.map((entry) => [entry.owner, entry]));
      const history = new Map(store.providerPerformance.allStats().map((stats) => [stats.provider, stats]));
      const candidates: BidCandidate[] = [];
      for (const bid of input.bids) {
        const entry = listed.get(bid.provider);
        // Not in the directory (or the directory is down): the chain's own audit records say which
        // attributes are signed, so audited providers still count as audited.
        const onChain = entry
          ? null
          : (bidders.get(bid.provider) ?? (await chain.auditedProvider(bid.provider)));
        candidates.push({
          provider: bid.provider,
          price: bid.priceUact,
          denom: "uact",
          attributes: entry?.attributes ?? onChain?.attributes ?? [],
          uptime: entry
            ? {
                uptime1d: entry.uptime1d,
                uptime7d: entry.uptime7d,
                uptime30d: entry.uptime30d,
                isOnline: entry.isOnline,
              }
            : null,
          history: history.get(bid.provider) ?? null,
        });
      }
      const result = scoreBids({
        bids: candidates,
        maxPricePerBlock: input.maxPriceUact,
        auditors: settings.trustedAuditors,
        family: store.children.placements(),
        excludedProviders: input.excludedProviders,
        avoidedProviders: settings.avoidProviders ?? [],
        weights: settings.scoringWeights,
      });
      for (const ranked of result.ranked) {
        log.info(
          {
            rank: ranked.rank,
            provider: ranked.provider,
            priceUact: ranked.price,
            region: ranked.region,
            audited: ranked.audited,
            ...(ranked.avoided ? { avoided: true } : {}),
            total: Number(ranked.total.toFixed(2)),
            breakdown: ranked.breakdown,
          },
          "bid scored",
        );
      }
      for (const rejected of result.rejected) {
        log.info(
          { provider: rejected.provider, reason: rejected.reason, detail: rejected.detail },
          "bid rejected",
        );
      }
      const byProvider = new Map(input.bids.map((bid) => [bid.provider, bid]));
      const ranked = result.ranked.flatMap((entry) => {
        const bid = byProvider.get(entry.provider);
        return bid ? [{ ...bid, score: Number(entry.total.toFixed(2)) }] : [];
      });
      return {
        ranked,
        chosen: ranked[0] ?? null,
        ...(directoryRead.unavailable ? { directoryUnavailable: directoryRead.unavailable } : {}),
      };
    }),

    createLease: fromPromise<void, CreateLeaseInput>(async ({ input }) => {
      log.info(
        { provider: input.bid.provider, dseq: input.bid.dseq, priceUact: input.bid.priceUact },
        "accepting the bid",
      );
      // Included with code 0 (or found on chain): the lease exists from that block on.
      await chain.createLease({ key: input.key, bid: input.bid });
      leasesCreated.add(leaseKey(input.bid));
      store.providerPerformance.leaseStarted(input.bid, services.now());
    }),

    confirmLease: fromPromise<ConfirmLeaseOutput, ConfirmLeaseInput>(async ({ input, signal }) => {
      // An included create-lease with code 0 is the lease: no lease lookup, and the host URI read while
      // collecting the bids. After a restart (nothing in memory) the chain is asked, block by block.
      const created = leasesCreated.delete(leaseKey(input.lease));
      const known = created ? bidders.get(input.lease.provider) : undefined;
      if (known?.hostUri) {
        log.info({ provider: input.lease.provider, hostUri: known.hostUri }, "lease active on chain");
        return { hostUri: known.hostUri };
      }
      const lease = await pollUntil({
        signal,
        intervalMs: settings.pollIntervalMs,
        deadline: services.now() + settings.leaseConfirmTimeoutMs,
        now: services.now,
        pause: nextBlock,
        read: () => chain.lease(input.lease),
        done: (found) => found !== null && found.state !== "unknown",
      });
      if (lease?.state !== "active") {
        throw new EffectError("provider", `the lease is ${lease?.state ?? "missing"} on chain, not active`);
      }
      const provider = bidders.get(input.lease.provider) ?? (await chain.provider(input.lease.provider));
      if (!provider?.hostUri)
        throw new EffectError("provider", `provider ${input.lease.provider} has no host URI on chain`);
      log.info({ provider: input.lease.provider, hostUri: provider.hostUri }, "lease active on chain");
      return { hostUri: provider.hostUri };
    }),

    sendManifest: fromPromise<void, SendManifestInput>(async ({ input }) => {
      const { manifest } = await deployableManifest(
        input.resources,
        input.lease.dseq,
        input.manifestVersion,
        input.image,
      );
      log.info({ provider: input.lease.provider, dseq: input.lease.dseq }, "sending the manifest");
      await gateway.sendManifest({
        lease: input.lease,
        hostUri: input.hostUri,
        manifestJson: manifest.manifestJson,
      });
    }),

    awaitServices: fromPromise<AwaitServicesOutput, AwaitServicesInput>(async ({ input, signal }) => {
      let last = "";
      const status = await pollUntil({
        signal,
        intervalMs: settings.pollIntervalMs,
        // A workload is often up within a second or two of its manifest: looked at soon, then less often.
        firstIntervalMs: SERVICES_FIRST_POLL_MS,
        deadline: services.now() + settings.servicesReadyTimeoutMs,
        now: services.now,
        read: async () => {
          const current = await gateway.leaseStatus({ lease: input.lease, hostUri: input.hostUri });
          const summary =
            current?.services
              .map((service) => `${service.name} ${service.ready}/${service.total}`)
              .join(", ") ?? "";
          if (summary !== last) {
            last = summary;
            log.info({ services: summary || "none yet" }, "waiting for the services to be ready");
          }
          return current;
        },
        done: (current) =>
          current !== null &&
          current.services.length > 0 &&
          current.services.every((service) => service.total > 0 && service.ready >= service.total),
      });
      if (!status?.services.every((service) => service.ready >= service.total)) {
        throw new EffectError(
          "provider",
          `the services did not become ready in time (${last || "no status"})`,
        );
      }
      const uris = [
        ...status.services.flatMap((service) => service.uris),
        ...status.forwardedPorts.map((port) => `${port.host}:${port.externalPort}`),
      ];
      store.providerPerformance.leaseReady(input.lease, services.now());
      log.info({ uris }, "services ready");
      return { uris };
    }),

    planMigration: fromPromise<PlanMigrationOutput, PlanMigrationInput>(async ({ input }) => {
      // A slow provider still serves: give the probe room, and a second try with twice as much (a
      // degraded provider missed one probe under load, and the rebid closed a lease that served). Only
      // a provider that does not answer at all, or a lease already gone, leaves nothing to
      // make-before-break with; a lease being reclaimed keeps serving until its deadline, so the move
      // is made before it ends.
      const probe = async (timeoutMs: number) =>
        input.lease.hostUri
          ? (await gateway.probe({ provider: input.lease.provider, hostUri: input.lease.hostUri, timeoutMs }))
              .ok
          : false;
      const probeTimeoutMs = settings.slowProviderMs * 3;
      const [answers, lease] = await Promise.all([
        probe(probeTimeoutMs).then((ok) => ok || probe(probeTimeoutMs * 2)),
        chain.lease(input.lease),
      ]);
      const leaseGone = lease === null || lease.state === "closed" || lease.state === "insufficient_funds";
      const gone = leaseGone || (!answers && lease.state !== "reclaiming");
      // An agent living in this lease would close itself by re-bidding: it always moves make-before-break.
      const strategy = gone && !services.selfHosting ? "rebid" : "new_deployment";
      log.warn({ provider: input.lease.provider, reason: input.reason, strategy }, "migrating");
      store.providerPerformance.leaseEnded(input.lease, {
        endedAt: services.now(),
        outcome: input.reason.includes("reclaim") ? "reclaimed" : gone ? "offline" : "degraded",
        issues: [input.reason],
      });
      return { strategy };
    }),

    closeLease: fromPromise<void, CloseLeaseInput>(async ({ input }) => {
      if (input.failedAttempt !== undefined) {
        store.providerPerformance.attemptFailed(input.lease, services.now(), [input.failedAttempt]);
      }
      log.info({ provider: input.lease.provider, dseq: input.lease.dseq }, "closing the lease");
      await chain.closeLease({ key: input.key, lease: input.lease });
    }),

    handOverToNewLease: createHandOverActor(services),
    runCanary: createCanaryActor(services),

    closeDeployments: fromPromise<void, CloseDeploymentsInput>(async ({ input }) => {
      // Each close goes through the chain service even when the deployment looks closed already:
      // it finds the effect on chain and completes its record instead of sending anything.
      // A deployment of the key before a rotation is closed with that key (the mnemonic derives it).
      const owner =
        input.owner !== undefined && input.owner !== chain.owner && services.akashAccounts
          ? (await services.akashAccounts.accountOf(input.owner)).chain
          : chain;
      for (const dseq of input.dseqs) {
        const key = `${input.key}:${dseq}`;
        const result = await owner.closeDeployment({ key, dseq });
        recordEscrowRefund(store, { key, result });
        store.providerPerformance.deploymentEnded(dseq, {
          endedAt: services.now(),
          outcome: "closed",
          issues: ["the agent closed the deployment"],
        });
        if (!result.alreadyDone) log.info({ dseq }, "closed the deployment (escrow is refunded)");
      }
    }),
  };
}
