/**
 * Container image references as Docker and Akash manifests write them:
 * `[registry[:port]/]path[:tag][@digest]`. A reference without a tag means `latest`.
 */

/** The tag a reference without one stands for. */
export const DEFAULT_IMAGE_TAG = "latest";

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface ImageReference {
  /** Everything before the tag: registry, port and path (`ghcr.io/akash-agent/agent-relay`). */
  readonly repository: string;
  /** The tag as written, null when the reference has none. */
  readonly tag: string | null;
  /** `sha256:…` when the reference pins a digest, else null. */
  readonly digest: string | null;
}

/** Splits a reference; a colon before the last slash is a registry's port, not a tag. */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf("@");
  const named = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? null : image.slice(at + 1);
  const slash = named.lastIndexOf("/");
  const colon = named.lastIndexOf(":");
  if (colon > slash) return { repository: named.slice(0, colon), tag: named.slice(colon + 1), digest };
  return { repository: named, tag: null, digest };
}

/** Whether `tag` is a valid image tag (Docker's grammar: up to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`). */
export function isImageTag(tag: string): boolean {
  return TAG.test(tag);
}

export function imageRepository(image: string): string {
  return parseImageReference(image).repository;
}

/** The reference's tag, `latest` when it has none. */
export function imageTag(image: string): string {
  return parseImageReference(image).tag || DEFAULT_IMAGE_TAG;
}

/** `repository:tag` of a reference (`latest` when it has none; a digest is dropped). */
export function taggedImage(image: string): string {
  return `${imageRepository(image)}:${imageTag(image)}`;
}

/** The same repository under another tag (a digest is dropped: it pinned the old tag's content). */
export function withImageTag(image: string, tag: string): string {
  return `${imageRepository(image)}:${tag}`;
}
