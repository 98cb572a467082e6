/** What a request tells us about where the client reached us (Fastify honours X-Forwarded-*). */
export interface RequestOrigin {
  protocol: string;
  host: string;
}

/** Base of the DICOMweb resources as the client sees it, e.g. `https://pacs.example/dicomweb`. */
export function dicomWebBaseUrl(origin: RequestOrigin): string {
  return `${origin.protocol}://${origin.host}/dicomweb`;
}

/** PS3.18 10.4: the Study resource. */
export function studyUrl(base: string, studyUid: string): string {
  return `${base}/studies/${studyUid}`;
}

/** PS3.18 10.4: the Series resource. */
export function seriesUrl(base: string, studyUid: string, seriesUid: string): string {
  return `${studyUrl(base, studyUid)}/series/${seriesUid}`;
}

/** PS3.18 10.4: the Instance resource. */
export function instanceUrl(base: string, studyUid: string, seriesUid: string, sopInstanceUid: string): string {
  return `${seriesUrl(base, studyUid, seriesUid)}/instances/${sopInstanceUid}`;
}
