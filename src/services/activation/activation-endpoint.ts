import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../logging/index.js";
import { sendError, sendJson } from "../../server/json-response.js";
import { nip98RequestOf } from "../../server/nip98-auth.js";
import { signAcknowledgement } from "./acknowledgement.js";
import { ActivationRefusedError } from "./activation-errors.js";
import { ACTIVATION_PATH, ACTIVATION_PROTOCOL_VERSION, type ActivationOffer } from "./activation-offer.js";
import { type ActivationRecord, readActivationRecord, writeActivationRecord } from "./activation-record.js";
import { readBoundedBody } from "./bounded-body.js";
import type { EphemeralActivationKey } from "./ephemeral-key.js";
import {
  type ActivationAuth,
  type ActivationExpectation,
  authenticateActivation,
  checkAddressee,
  type OpenedActivation,
  openAuthenticatedActivation,
} from "./open-activation.js";
import type { ActivationRefusalLog } from "./refusal-log.js";
import { parseSealedActivation } from "./sealed-package.js";

/** Largest activation body read (the store image travels in it, base64). */
export const DEFAULT_MAX_ACTIVATION_BODY_BYTES = 64 * 1024 * 1024;

export interface ActivationEndpointOptions {
  /** What the manifest says: the agent, the activation nonce, the deployment owner and dseq. */
  readonly expected: ActivationExpectation & { readonly dseq: string };
  readonly ephemeral: EphemeralActivationKey;
  /** JSON file in the data directory (see `ACTIVATION_RECORD_FILE`). */
  readonly recordPath: string;
  /**
   * Persists the keystore and the store. Resolves before the acknowledgement is sent; it may run again
   * for the same package if the instance crashed before its record was written, so it must be safe to repeat.
   */
  readonly onActivated: (opened: OpenedActivation) => Promise<void>;
  /** Called on every refusal: the reason holds no secret. */
  readonly onRefused?: (reason: string, status: number) => void;
  /** Where refusals are kept until the agent this instance becomes can alert about them. */
  readonly refusalLog?: ActivationRefusalLog;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly maxBodyBytes?: number;
}

/** The request's path; null when its target is not a URL path (`GET //` is a valid request line). */
function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? "/", "http://instance").pathname;
  } catch {
    return null;
  }
}

/** The answer to a successful POST. */
export interface ActivationAnswer {
  readonly generation: number;
  readonly acknowledgement: ActivationRecord["acknowledgement"];
  /** True when the instance was activated before and answered its stored acknowledgement again. */
  readonly alreadyActivated: boolean;
}

/**
 * The awaiting instance's `/api/activation`: GET answers the offer, POST takes a sealed, NIP-98-signed
 * package, checks it is this agent's (see `openAuthenticatedActivation`), hands it to `onActivated`,
 * records the activation durably and answers a signed acknowledgement. POSTs are handled one at a time.
 */
export class ActivationEndpoint {
  readonly #options: ActivationEndpointOptions;
  readonly #now: () => number;
  readonly #maxBodyBytes: number;
  /** NIP-98 event ids seen by this process, with when they expire (ms). */
  readonly #seen = new Map<string, number>();
  #record: ActivationRecord | null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ActivationEndpointOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_ACTIVATION_BODY_BYTES;
    this.#record = readActivationRecord(options.recordPath);
  }

  /** Whether this instance has been activated (now or before a restart). */
  get activated(): boolean {
    return this.#record !== null;
  }

  offer(): ActivationOffer {
    const record = this.#record;
    return {
      version: ACTIVATION_PROTOCOL_VERSION,
      agentId: this.#options.expected.agentId,
      nonce: this.#options.expected.nonce,
      ephemeralPubkey: this.#options.ephemeral.publicKeyHex,
      state: record ? (record.mode === "canary" ? "canary" : "activated") : "awaiting",
      generation: record?.generation ?? null,
      acknowledgement: record?.acknowledgement ?? null,
      ...(this.#options.refusalLog ? { refused: this.#options.refusalLog.current().count } : {}),
    };
  }

  /** Serves `/api/activation`; false (nothing written) for any other path. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (pathOf(req) !== ACTIVATION_PATH) return false;
    const method = req.method ?? "GET";
    if (method === "GET" || method === "HEAD") {
      sendJson(res, 200, this.offer());
      return true;
    }
    if (method !== "POST") {
      res.setHeader("allow", "GET, HEAD, POST");
      sendError(res, 405, `${method} ${ACTIVATION_PATH} is not served: GET the offer or POST the package`);
      return true;
    }
    const read = await readBoundedBody(req, this.#maxBodyBytes);
    if (read.tooLarge) {
      res.setHeader("connection", "close");
      this.#refuse(
        res,
        new ActivationRefusedError(413, `the activation body is over ${this.#maxBodyBytes} bytes`),
      );
      return true;
    }
    const request = nip98RequestOf(req, read.body);
    const run = this.#queue.then(() => this.#post(request, res));
    this.#queue = run.catch(() => undefined);
    await run;
    return true;
  }

  async #post(request: ReturnType<typeof nip98RequestOf>, res: ServerResponse): Promise<void> {
    let answer: ActivationAnswer;
    try {
      answer = await this.#activate(request);
    } catch (error) {
      if (error instanceof ActivationRefusedError) {
        this.#refuse(res, error);
        return;
      }
      this.#options.logger.error({ err: error }, "activation failed: nothing recorded, the leader may retry");
      sendError(res, 500, "the activation could not be completed: see the instance's log; retry it");
      return;
    }
    sendJson(res, 200, answer);
  }

  async #activate(request: ReturnType<typeof nip98RequestOf>): Promise<ActivationAnswer> {
    const nowMs = this.#now();
    const auth = authenticateActivation(request, nowMs);
    this.#acceptOnce(auth, nowMs);
    const sealed = parseSealedActivation(request.body);
    const { expected, ephemeral } = this.#options;
    // A canary takes one leader activation (its promotion, issue 18); anything else is answered as before.
    const record = this.#record?.mode === "canary" && sealed.mode !== "canary" ? null : this.#record;
    if (this.#record && !record && sealed.generation < this.#record.generation) {
      throw new ActivationRefusedError(
        409,
        `this canary was activated for generation ${this.#record.generation}: a leader activation at ${sealed.generation} is older`,
      );
    }
    if (record) {
      checkAddressee(sealed, expected, sealed.ephemeralPubkey);
      if (auth.pubkey !== record.signer) {
        throw new ActivationRefusedError(
          403,
          "this instance was activated by another key: the request's signer is not the agent's",
        );
      }
      if (sealed.generation !== record.generation) {
        throw new ActivationRefusedError(
          409,
          `replayed activation: this instance was activated at generation ${record.generation}, ` +
            `not ${sealed.generation}; a new leader deploys a new instance`,
        );
      }
      this.#options.logger.info(
        { generation: record.generation },
        "activation repeated: answering the stored acknowledgement",
      );
      return {
        generation: record.generation,
        acknowledgement: record.acknowledgement,
        alreadyActivated: true,
      };
    }
    const opened = openAuthenticatedActivation({ auth, sealed, ephemeral, expected });
    await this.#options.onActivated(opened);
    const acknowledgement = signAcknowledgement(
      opened.keys,
      {
        agentId: expected.agentId,
        nonce: expected.nonce,
        generation: opened.generation,
        ephemeralPubkey: ephemeral.publicKeyHex,
        owner: expected.owner,
        dseq: expected.dseq,
      },
      Math.floor(nowMs / 1000),
    );
    const activated: ActivationRecord = {
      version: 1,
      activated: true,
      agentId: expected.agentId,
      nonce: expected.nonce,
      generation: opened.generation,
      signer: auth.pubkey,
      authEventId: auth.eventId,
      acknowledgement: { ...acknowledgement },
      activatedAt: new Date(nowMs).toISOString(),
      ...(opened.mode === undefined ? {} : { mode: opened.mode }),
    };
    await writeActivationRecord(this.#options.recordPath, activated);
    this.#record = activated;
    this.#options.logger.info(
      { generation: opened.generation, npub: opened.keys.identity.npub, mode: opened.mode ?? "leader" },
      "activated: keystore and state received",
    );
    return {
      generation: opened.generation,
      acknowledgement: activated.acknowledgement,
      alreadyActivated: false,
    };
  }

  /** Refuses an auth event seen before (in this process, or the one recorded as the activation's). */
  #acceptOnce(auth: ActivationAuth, nowMs: number): void {
    for (const [id, expiresAt] of this.#seen) if (expiresAt < nowMs) this.#seen.delete(id);
    if (this.#seen.has(auth.eventId) || this.#record?.authEventId === auth.eventId) {
      throw new ActivationRefusedError(
        409,
        "replayed activation: this NIP-98 event was used already; sign a new one",
      );
    }
    this.#seen.set(auth.eventId, auth.expiresAt);
  }

  #refuse(res: ServerResponse, error: ActivationRefusedError): void {
    this.#options.logger.warn({ status: error.status, reason: error.message }, "activation refused");
    this.#options.refusalLog?.add(error.status, error.message);
    this.#options.onRefused?.(error.message, error.status);
    sendError(res, error.status, error.message);
  }
}
