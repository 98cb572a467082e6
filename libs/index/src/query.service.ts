import { Injectable } from '@nestjs/common';
import { InstanceQuery, QueryPage } from './query.types';

/** The one query engine behind QIDO-RS and C-FIND (PS3.4 C.2.2.2 matching, PS3.18 10.6). */
@Injectable()
export class QueryService {
  /** Throws QueryError (bad-query) for an unknown attribute or malformed value. */
  async search(query: InstanceQuery): Promise<QueryPage> {
    throw new Error('not implemented');
  }
}
