/** Tags every backup data item carries (DESIGN §15); GraphQL finds backups by App-Name and Agent-Id. */
export const BACKUP_APP_NAME = "akash-agent";
export const BACKUP_CONTENT_TYPE = "application/vnd.akash-agent.backup+octet-stream";

export interface BackupTag {
  readonly name: string;
  readonly value: string;
}

export function backupTags(agentId: string, seq: number): BackupTag[] {
  return [
    { name: "App-Name", value: BACKUP_APP_NAME },
    { name: "Agent-Id", value: agentId },
    { name: "Backup-Seq", value: String(seq) },
    { name: "Content-Type", value: BACKUP_CONTENT_TYPE },
  ];
}

export function tagValue(tags: readonly BackupTag[], name: string): string | undefined {
  return tags.find((tag) => tag.name === name)?.value;
}
