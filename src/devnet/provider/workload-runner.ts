import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, openSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { imageRepository } from "../../domain/index.js";
import { LOOPBACK } from "../http-utils.js";
import { agentProcessEnv } from "./agent-process-env.js";
import type { FailingImages } from "./failing-images.js";
import { type HostVolume, prepareHostVolumes, removeHostVolumes } from "./lease-volumes.js";
import {
  envEntries,
  type ManifestExpose,
  type ManifestService,
  persistentMounts,
} from "./manifest-services.js";

export interface AgentRuntimeOptions {
  /** Manifest image (repository, tag optional) that the provider runs as a local process. */
  readonly agentImage?: string;
  /** argv of that process; the manifest's env and the lease's port mapping are added to its environment. */
  readonly agentCommand?: readonly string[];
  /** Extra environment for it (it does not inherit the devnet's environment beyond PATH/HOME/locale). */
  readonly agentEnv?: Readonly<Record<string, string>>;
  readonly agentCwd?: string;
  /** When set, each agent process's stdout and stderr are appended to `<dir>/<owner>-<dseq>-<service>.log`. */
  readonly agentLogDir?: string;
  /**
   * Where an agent process's persistent volumes live, one directory per lease, service and volume
   * (`<root>/<owner>-<dseq>-<service>-<volume>`); kept across restarts, deleted when the lease closes.
   * Without it a process gets no volume directory and its mount paths stay as they are.
   */
  readonly agentVolumeRoot?: string;
}

/** One agent process as the provider started it (for tests and the operator; in-process only). */
export interface AgentProcessInfo {
  readonly owner: string;
  readonly dseq: string;
  readonly service: string;
  /** The running process's pid, null between a crash and its restart. */
  readonly pid: number | null;
  readonly command: readonly string[];
  /** The environment it was started with. It may hold `agentEnv` values: never log it. */
  readonly env: Readonly<Record<string, string>>;
  readonly volumes: readonly HostVolume[];
  readonly logFile: string | null;
  readonly restarts: number;
}

export interface LeaseRef {
  readonly owner: string;
  readonly dseq: bigint;
  readonly gseq: number;
  readonly oseq: number;
  readonly provider: string;
}

export interface ServiceStatusJson {
  name: string;
  available: number;
  total: number;
  uris: string[] | null;
  observed_generation: number;
  replicas: number;
  updated_replicas: number;
  ready_replicas: number;
  available_replicas: number;
}

export interface ForwardedPortJson {
  host?: string;
  port: number;
  externalPort: number;
  proto: string;
  name: string;
}

export function isAgentImage(image: string, agentImage: string | undefined): boolean {
  if (!agentImage) return false;
  return image === agentImage || imageRepository(image) === imageRepository(agentImage);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

interface ExposeBinding {
  readonly expose: ManifestExpose;
  readonly hostPort: number;
}

/** The binding a process serves HTTP on: the expose published as 80, else the first TCP one. */
function httpBinding(bindings: readonly ExposeBinding[]): ExposeBinding | undefined {
  const tcp = bindings.filter((b) => b.expose.proto.toUpperCase() === "TCP");
  return tcp.find((b) => (b.expose.externalPort || b.expose.port) === 80) ?? tcp[0];
}

/** One service of a lease as the provider runs it: a real process for the agent's image, else simulated. */
class ServiceRuntime {
  readonly service: ManifestService;
  private readonly bindings: ExposeBinding[];
  private readonly startedAt = Date.now();
  private readonly startDelayMs: number;
  private readonly failing: boolean;
  private readonly ingressHost: string;
  private readonly runsProcess: boolean;
  private readonly volumes: readonly HostVolume[];
  private readonly failingImages: FailingImages | undefined;
  private unwatchImage: (() => void) | undefined;
  private child: ChildProcess | undefined;
  private launched: { command: string[]; env: Record<string, string>; logFile: string | null } | undefined;
  private ready = false;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  restarts = 0;

  constructor(
    service: ManifestService,
    bindings: ExposeBinding[],
    options: {
      startDelayMs: number;
      failing: boolean;
      ingressHost: string;
      runsProcess: boolean;
      volumes: readonly HostVolume[];
      failingImages?: FailingImages;
    },
  ) {
    this.service = service;
    this.bindings = bindings;
    this.volumes = options.volumes;
    this.startDelayMs = options.startDelayMs;
    this.failing = options.failing;
    this.ingressHost = options.ingressHost;
    this.runsProcess = options.runsProcess;
    this.failingImages = options.failingImages;
  }

  /**
   * Its image is failing (`images/fail`): never ready and its process not started, as a bad
   * release's container exits at start.
   */
  private imageFailing(): boolean {
    return this.failingImages?.has(this.service.image) ?? false;
  }

  start(lease: LeaseRef, runtime: AgentRuntimeOptions, providerHost: string): void {
    if (!this.runsProcess || this.failing) return;
    const [command, ...args] = runtime.agentCommand ?? [];
    if (!command) return;
    const http = httpBinding(this.bindings);
    const env = agentProcessEnv({
      lease,
      image: this.service.image,
      providerHost,
      hostEnv: process.env,
      agentEnv: runtime.agentEnv ?? {},
      manifestEnv: envEntries(this.service),
      volumes: this.volumes,
      httpPort: http?.hostPort,
      hostPorts: this.bindings.map((b) => ({ port: b.expose.port, hostPort: b.hostPort })),
    });
    const logFile = runtime.agentLogDir
      ? join(runtime.agentLogDir, `${lease.owner}-${lease.dseq}-${this.service.name}.log`)
      : null;
    this.launched = { command: [command, ...args], env, logFile };
    let spawned = false;
    const launch = () => {
      if (this.stopping || this.imageFailing()) return;
      spawned = true;
      const log = logFile !== null ? openSync(logFile, "a") : undefined;
      const output = log ?? "ignore";
      const child = spawn(command, args, { env, cwd: runtime.agentCwd, stdio: ["ignore", output, output] });
      if (log !== undefined) closeSync(log);
      this.child = child;
      child.on("error", () => undefined);
      child.on("exit", () => {
        this.child = undefined;
        this.ready = false;
        if (this.stopping || this.imageFailing()) return;
        this.restarts += 1;
        this.restartTimer = setTimeout(launch, Math.min(10_000, 250 * 2 ** Math.min(this.restarts, 5)));
      });
    };
    this.unwatchImage = this.failingImages?.watch(this.service.image, async (failing) => {
      if (this.restartTimer) clearTimeout(this.restartTimer);
      if (failing) {
        await this.killChild();
        return;
      }
      // Healed: the provider starts the container again (a restart, unless it never started).
      if (this.stopping || this.child) return;
      if (spawned) this.restarts += 1;
      launch();
    });
    launch();
    const probe = async () => {
      if (this.stopping) return;
      if (this.child && this.child.exitCode === null) {
        this.ready = http
          ? await canConnect(http.hostPort)
          : Date.now() - this.startedAt >= this.startDelayMs;
      } else {
        this.ready = false;
      }
      this.probeTimer = setTimeout(() => void probe(), 100);
    };
    void probe();
  }

  /** What the provider started for this service, when it runs as a process. */
  processInfo(lease: LeaseRef): AgentProcessInfo | null {
    if (!this.launched) return null;
    return {
      owner: lease.owner,
      dseq: lease.dseq.toString(),
      service: this.service.name,
      pid: this.child?.pid ?? null,
      command: this.launched.command,
      env: this.launched.env,
      volumes: this.volumes,
      logFile: this.launched.logFile,
      restarts: this.restarts,
    };
  }

  /** Deletes its volumes: only when the lease is gone, never on a restart or a manifest update. */
  removeVolumes(): void {
    removeHostVolumes(this.volumes);
  }

  isReady(): boolean {
    if (this.failing || this.imageFailing()) return false;
    if (this.runsProcess) return this.ready;
    return Date.now() - this.startedAt >= this.startDelayMs;
  }

  status(lease: LeaseRef): ServiceStatusJson {
    const total = this.service.count;
    const ready = this.isReady() ? total : 0;
    const httpExposes = this.bindings.filter(
      (b) => b.expose.global && (b.expose.externalPort || b.expose.port) === 80,
    );
    const uris = httpExposes.map((b) =>
      this.runsProcess ? `${LOOPBACK}:${b.hostPort}` : this.ingressHostname(lease),
    );
    return {
      name: this.service.name,
      available: ready,
      total,
      uris: uris.length > 0 ? uris : null,
      observed_generation: 1,
      replicas: total,
      updated_replicas: total,
      ready_replicas: ready,
      available_replicas: ready,
    };
  }

  /** The provider ingress's name for this service (`<hash>.ingress.<provider domain>`), as Akash gives one. */
  private ingressHostname(lease: LeaseRef): string {
    const id = createHash("sha256")
      .update(`${lease.owner}/${lease.dseq}/${lease.gseq}/${lease.oseq}/${this.service.name}`)
      .digest("hex")
      .slice(0, 20);
    return `${id}.ingress.${this.ingressHost}`;
  }

  /** The ingress names its lease status lists (none for a real process, which is reached at 127.0.0.1). */
  ingressHostnames(lease: LeaseRef): string[] {
    if (this.runsProcess) return [];
    const servesHttp = this.bindings.some(
      (b) => b.expose.global && (b.expose.externalPort || b.expose.port) === 80,
    );
    return servesHttp ? [this.ingressHostname(lease)] : [];
  }

  forwardedPorts(providerHost: string): ForwardedPortJson[] {
    return this.bindings
      .filter((b) => b.expose.global && (b.expose.externalPort || b.expose.port) !== 80)
      .map((b) => ({
        host: providerHost,
        port: b.expose.port,
        externalPort: b.hostPort,
        proto: b.expose.proto.toUpperCase(),
        name: this.service.name,
      }));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.unwatchImage?.();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    await this.killChild();
  }

  /** SIGTERM, then SIGKILL after 3 s, as a container runtime stops a container; resolves once it exited. */
  private async killChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => child.kill("SIGKILL"), 3000);
      child.once("exit", () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }
}

export interface LeaseStatusJson {
  services: Record<string, ServiceStatusJson>;
  forwarded_ports: Record<string, ForwardedPortJson[]> | null;
  ips: null;
}

/** The workloads of one lease's manifest group on a provider. */
export class LeaseWorkload {
  private readonly runtimes: ServiceRuntime[];
  private readonly lease: LeaseRef;
  private readonly providerHost: string;

  private constructor(lease: LeaseRef, runtimes: ServiceRuntime[], providerHost: string) {
    this.lease = lease;
    this.runtimes = runtimes;
    this.providerHost = providerHost;
  }

  static async create(
    lease: LeaseRef,
    services: readonly ManifestService[],
    options: {
      runtime: AgentRuntimeOptions;
      startDelayMs: number;
      failing: boolean;
      providerHost: string;
      ingressHost: string;
      /** Images whose processes do not run (the control API's `images/fail`). */
      failingImages?: FailingImages;
    },
  ): Promise<LeaseWorkload> {
    const runtimes: ServiceRuntime[] = [];
    for (const service of services) {
      const runsProcess =
        isAgentImage(service.image, options.runtime.agentImage) && !!options.runtime.agentCommand?.length;
      const bindings: ExposeBinding[] = [];
      for (const expose of service.expose ?? []) {
        if (!expose.global) continue;
        bindings.push({
          expose,
          hostPort: runsProcess ? await freePort() : 30000 + Math.floor(Math.random() * 2767),
        });
      }
      const volumeRoot = options.runtime.agentVolumeRoot;
      const runtime = new ServiceRuntime(service, bindings, {
        startDelayMs: options.startDelayMs,
        failing: options.failing,
        ingressHost: options.ingressHost,
        runsProcess,
        ...(options.failingImages ? { failingImages: options.failingImages } : {}),
        volumes:
          runsProcess && volumeRoot !== undefined
            ? prepareHostVolumes(volumeRoot, lease, service.name, persistentMounts(service))
            : [],
      });
      runtime.start(lease, options.runtime, options.providerHost);
      runtimes.push(runtime);
    }
    return new LeaseWorkload(lease, runtimes, options.providerHost);
  }

  status(): LeaseStatusJson {
    const services: Record<string, ServiceStatusJson> = {};
    const forwarded: Record<string, ForwardedPortJson[]> = {};
    for (const runtime of this.runtimes) {
      services[runtime.service.name] = runtime.status(this.lease);
      const ports = runtime.forwardedPorts(this.providerHost);
      if (ports.length > 0) forwarded[runtime.service.name] = ports;
    }
    return { services, forwarded_ports: Object.keys(forwarded).length > 0 ? forwarded : null, ips: null };
  }

  /** The ingress names of its services (what the devnet's DNS answers while the lease runs). */
  ingressHostnames(): string[] {
    return this.runtimes.flatMap((r) => r.ingressHostnames(this.lease));
  }

  allReady(): boolean {
    return this.runtimes.every((r) => r.isReady());
  }

  /** The agent processes it started. */
  agentProcesses(): AgentProcessInfo[] {
    return this.runtimes.flatMap((r) => r.processInfo(this.lease) ?? []);
  }

  /** Stops its processes; their volumes stay (a manifest update or a devnet restart keeps them). */
  stop(): Promise<void> {
    return Promise.all(this.runtimes.map((r) => r.stop())).then(() => undefined);
  }

  /** The lease closed: stops its processes and deletes their volumes, as a provider does. */
  async close(): Promise<void> {
    await this.stop();
    for (const runtime of this.runtimes) runtime.removeVolumes();
  }
}
