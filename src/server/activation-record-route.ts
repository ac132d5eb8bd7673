import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ACTIVATION_PATH,
  ACTIVATION_PROTOCOL_VERSION,
  type ActivationOffer,
  type ActivationRecord,
  readAcknowledgement,
  readActivationRecord,
} from "../services/activation/index.js";
import type { ActivationRefusalLog } from "../services/activation/refusal-log.js";
import { sendError, sendJson } from "./json-response.js";

/**
 * `/api/activation` of an instance that was activated and now runs the agent (DESIGN §12): read-only,
 * from its activation record. A leader that crashed after its POST and asks again reads `activated`
 * with the acknowledgement it missed, and finishes its handover; a POST is a replay (409).
 */
export class ActivationRecordRoute {
  readonly #offer: ActivationOffer;
  readonly #refusals: ActivationRefusalLog | null;
  #onRefused: (() => void) | null = null;

  private constructor(
    record: ActivationRecord,
    ephemeralPubkey: string,
    refusals: ActivationRefusalLog | null,
  ) {
    this.#refusals = refusals;
    this.#offer = {
      version: ACTIVATION_PROTOCOL_VERSION,
      agentId: record.agentId,
      nonce: record.nonce,
      ephemeralPubkey,
      state: "activated",
      generation: record.generation,
      acknowledgement: record.acknowledgement,
    };
  }

  /**
   * The route for the record at `path`; null when there is none (the instance was never activated).
   * POSTs it refuses are added to `refusals`.
   */
  static fromFile(path: string, refusals: ActivationRefusalLog | null = null): ActivationRecordRoute | null {
    const record = readActivationRecord(path);
    if (!record) return null;
    const acknowledged = readAcknowledgement(record.acknowledgement);
    if (!acknowledged) {
      throw new Error(
        `the activation record ${path} holds an acknowledgement that does not verify: redeploy this instance`,
      );
    }
    return new ActivationRecordRoute(record, acknowledged.ephemeralPubkey, refusals);
  }

  offer(): ActivationOffer {
    return this.#refusals ? { ...this.#offer, refused: this.#refusals.current().count } : this.#offer;
  }

  /** The refusal log this route adds to, if any. */
  get refusals(): ActivationRefusalLog | null {
    return this.#refusals;
  }

  /** Called after each POST this route refuses (the running agent alerts). */
  onRefused(listener: () => void): void {
    this.#onRefused = listener;
  }

  /** Serves `/api/activation`; false (nothing written) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (new URL(req.url ?? "/", "http://instance").pathname !== ACTIVATION_PATH) return false;
    const method = req.method ?? "GET";
    if (method === "GET" || method === "HEAD") {
      sendJson(res, 200, this.offer());
      return true;
    }
    if (method === "POST") {
      const reason = `replayed activation: this instance was activated at generation ${this.#offer.generation} and leads; a new leader deploys a new instance`;
      this.#refusals?.add(409, reason);
      this.#onRefused?.();
      sendError(res, 409, reason);
      return true;
    }
    res.setHeader("allow", "GET, HEAD");
    sendError(res, 405, `${method} ${ACTIVATION_PATH} is not served: GET the activation record`);
    return true;
  }
}
