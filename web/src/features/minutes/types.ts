import type { components } from '../../api/schema';

type Schemas = components['schemas'];

export type MinutesRead = Schemas['MinutesRead'];
export type MinutesSegmentRead = Schemas['MinutesSegmentRead'];
export type MinutesTranscriptOut = Schemas['MinutesTranscriptOut'];
export type MinutesSearchOut = Schemas['MinutesSearchOut'];
export type MinutesHit = Schemas['MinutesHit'];
export type MinutesLanguage = MinutesRead['language'];

/** What the server streams while a transcription runs (MinutesProgressEvent). */
export interface MinutesProgress {
  type: 'minutes.progress';
  minutes_id: number;
  status: MinutesRead['status'];
  progress: number;
  error: string;
  error_code: string;
  segment: MinutesSegmentRead | null;
}
