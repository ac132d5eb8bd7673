/** Where backups go and where their pointer is published. */
export interface BackupTarget {
  /** Arweave gateway base URL (arweave-js host; GraphQL at /graphql). */
  readonly gateway: string;
  /** Relays for the kind-30078 pointer. */
  readonly relays: readonly string[];
  /** How long to wait for the gateway to serve an upload before giving up (the pointer stays). */
  readonly availableTimeoutMs: number;
  /** How often to look again while waiting. Default 500 ms. */
  readonly pollIntervalMs?: number;
}
