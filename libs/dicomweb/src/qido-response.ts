import { DicomJson, getString, Tag } from '@pacs/dicom';
import type { QueryLevel } from '@pacs/index';
import { instanceUrl, seriesUrl, studyUrl } from './retrieve-url';

const RETRIEVE_URL = '00081190';

/**
 * PS3.18 10.6.3.3 (Tables 10.6.3-3 to -5): each QIDO-RS result carries the Retrieve URL
 * (0008,1190) of its study, series or instance resource. Tag order is kept.
 */
export function withRetrieveUrl(result: DicomJson, level: QueryLevel, baseUrl: string): DicomJson {
  const study = getString(result, Tag.StudyInstanceUID);
  const series = getString(result, Tag.SeriesInstanceUID);
  const instance = getString(result, Tag.SOPInstanceUID);
  let url: string | undefined;
  if (level === 'study' && study) url = studyUrl(baseUrl, study);
  else if (level === 'series' && study && series) url = seriesUrl(baseUrl, study, series);
  else if (level === 'instance' && study && series && instance) url = instanceUrl(baseUrl, study, series, instance);
  if (!url) return result;
  const all: DicomJson = { ...result, [RETRIEVE_URL]: { vr: 'UR', Value: [url] } };
  const out: DicomJson = {};
  for (const tag of Object.keys(all).sort()) out[tag] = all[tag];
  return out;
}
