import { Injectable, Optional } from '@nestjs/common';
import { PacsConfig } from '@pacs/config';
import { MediaInstance, RetrieveService } from '@pacs/index';
import { DeidError } from './deid.errors';
import { DeidProfile } from './instance-deidentifier';
import { deidentifyMediaInstance } from './media-deidentifier';
import { DeidentifiedInstance, deidentifyPart10 } from './part10-deidentifier';
import { Pseudonyms } from './pseudonyms';

/**
 * De-identification under the server's secret (PACS_DEID_SECRET). Without one it refuses: a
 * secret made up here would differ between the nodes of a cluster and break the promise that
 * one patient always gets one pseudonym.
 */
@Injectable()
export class DeidService {
  private readonly pseudonyms?: Pseudonyms;

  constructor(
    config: PacsConfig,
    @Optional() private readonly retrieve?: RetrieveService,
  ) {
    const secret = config.deid?.secret;
    if (secret) this.pseudonyms = new Pseudonyms(secret);
  }

  /** The pseudonyms under the secret; throws deid-not-configured (409) without one. */
  keys(): Pseudonyms {
    if (!this.pseudonyms) throw new DeidError('deid-not-configured', 'de-identification needs PACS_DEID_SECRET (the key of its pseudonyms) to be set');
    return this.pseudonyms;
  }

  /**
   * Refuses, before anything is made, studies to de-identify that hold an instance flagged Burned
   * In Annotation YES (from the index) unless the profile allows it; and refuses without a secret.
   */
  async preflight(studyUids: string[], profile: DeidProfile): Promise<void> {
    this.keys();
    if (profile.options.includes('allow-burned-in-annotation') || !this.retrieve) return;
    const flagged = await this.retrieve.withBurnedInAnnotation(studyUids);
    if (flagged.length === 0) return;
    throw new DeidError(
      'deid-refused',
      `${flagged.length} instance(s) have Burned In Annotation (0028,0301) YES, e.g. ${flagged[0]}: their pixels may show identifying text (option allow-burned-in-annotation)`,
    );
  }

  /** One Part 10 instance de-identified (PS3.15 E.1) under the profile; throws DeidError. */
  deidentify(part10: Buffer, profile: DeidProfile): DeidentifiedInstance {
    return deidentifyPart10(part10, profile, this.keys());
  }

  /** An instance's media directory values as its de-identified copy has them (for a DICOMDIR). */
  deidentifyMediaInstance(instance: MediaInstance, profile: DeidProfile): MediaInstance {
    return deidentifyMediaInstance(instance, profile, this.keys());
  }
}
