// The DICOMweb client OHIF uses (npm dicomweb-client), pointed at a test server. It speaks
// XMLHttpRequest, which Node lacks: xhr2 provides it.
import { api } from 'dicomweb-client';

const g = globalThis as { XMLHttpRequest?: unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
g.XMLHttpRequest ??= require('xhr2');

export type DicomWebClient = InstanceType<typeof api.DICOMwebClient>;

/** A client for `<baseUrl>/dicomweb` that sends the bearer token on every request. */
export function dicomWebClient(baseUrl: string, token: string): DicomWebClient {
  return new api.DICOMwebClient({ url: `${baseUrl}/dicomweb`, headers: { Authorization: `Bearer ${token}` }, singlepart: false });
}
