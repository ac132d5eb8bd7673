import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PersistentMount } from "./manifest-services.js";

export interface HostVolume extends PersistentMount {
  /** The host directory that stands in for the mount. */
  readonly hostDir: string;
}

export interface VolumeOwner {
  readonly owner: string;
  readonly dseq: bigint;
  /** The provider whose disk it is: a lease of the same deployment on another provider starts empty. */
  readonly provider: string;
}

/** Manifest names come from the tenant: keep each to one safe path segment. */
function segment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/**
 * `<root>/<owner>-<dseq>-<provider>-<service>-<volume>`: the same lease, service and volume always get
 * the same directory (a restart or a manifest update keeps it); each provider has its own disks.
 */
export function hostVolumeDir(root: string, lease: VolumeOwner, service: string, volume: string): string {
  return join(
    root,
    `${segment(lease.owner)}-${lease.dseq}-${segment(lease.provider)}-${segment(service)}-${segment(volume)}`,
  );
}

/** Creates (or finds, after a process restart or a manifest update) the host directories of a service's volumes. */
export function prepareHostVolumes(
  root: string,
  lease: VolumeOwner,
  service: string,
  mounts: readonly PersistentMount[],
): HostVolume[] {
  return mounts.map((mount) => {
    const hostDir = hostVolumeDir(root, lease, service, mount.volume);
    mkdirSync(hostDir, { recursive: true });
    return { ...mount, hostDir };
  });
}

/** Deletes a closed lease's volumes, as a provider does. */
export function removeHostVolumes(volumes: readonly HostVolume[]): void {
  for (const volume of volumes) rmSync(volume.hostDir, { recursive: true, force: true });
}

/**
 * A container sees its volume at the mount path; a local process has no mount namespace, so an env
 * value naming the mount path (or a path under it, e.g. AGENT_DATA_DIR=/var/lib/akash-agent) would
 * point at the host's own /var/lib. Such values are rewritten to the volume's host directory.
 */
export function rewriteMountedPaths(
  env: Readonly<Record<string, string>>,
  volumes: readonly HostVolume[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    let rewritten = value;
    for (const { mount, hostDir } of volumes) {
      const base = mount.replace(/\/+$/, "");
      if (base === "") continue;
      if (value === base || value === mount) rewritten = hostDir;
      else if (value.startsWith(`${base}/`)) rewritten = `${hostDir}${value.slice(base.length)}`;
      else continue;
      break;
    }
    out[name] = rewritten;
  }
  return out;
}
