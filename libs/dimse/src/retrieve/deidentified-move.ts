import type { DeidProfileSetting } from '@pacs/config';
import { deidentifiedSyntax, type DeidService } from '@pacs/deid';
import type { StoredInstance } from '@pacs/index';

type Load = (instance: StoredInstance, target: Buffer) => Promise<Buffer>;

/** What a C-MOVE to a de-identifying peer sends instead of the stored instances. */
export interface DeidentifiedMove {
  /** The instances under their new UIDs (known before any is read: HMAC pseudonyms). */
  instances: StoredInstance[];
  /** Reads the stored instance and de-identifies it (one in memory at a time per sub-operation). */
  load: Load;
  /** The stored SOP Instance UID of a copy, for the Failed SOP Instance UID List. */
  original(sopInstanceUid: string): string;
}

/**
 * A C-MOVE to a peer registered with `deidentify` sends de-identified copies (PS3.15 E.1): the
 * stored instances stay as they are. A copy that cannot be made (burned-in annotation) fails its
 * sub-operation (0x0110). Throws (DeidError) when no secret is set.
 */
export function deidentifiedMove(
  instances: StoredInstance[],
  load: Load,
  deid: Pick<DeidService, 'keys' | 'deidentify'> | undefined,
  profile: DeidProfileSetting,
): DeidentifiedMove {
  if (!deid) throw new Error('de-identification is not available on this server');
  const keys = deid.keys();
  const originals = new Map<string, string>();
  const copies = instances.map((instance) => {
    const sopInstanceUid = keys.uid(instance.sopInstanceUid);
    originals.set(sopInstanceUid, instance.sopInstanceUid);
    const transferSyntaxUid = deidentifiedSyntax(instance.transferSyntaxUid);
    return { ...instance, studyUid: keys.uid(instance.studyUid), seriesUid: keys.uid(instance.seriesUid), sopInstanceUid, transferSyntaxUid };
  });
  return {
    instances: copies,
    load: async (instance, target) => deid.deidentify(await load(instance, target), profile).bytes,
    original: (uid) => originals.get(uid) ?? uid,
  };
}
