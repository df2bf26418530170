/**
 * Features that want the raw stream (messaging, later docs and meetings) subscribe here; the
 * one WebSocket in useEventStream hands every numbered event and every ephemeral one over.
 */
import type { StreamEventPayload } from './EventStream';

export interface StreamDelivery {
  /** Ephemeral events (typing…) are not numbered and never replayed. */
  ephemeral: boolean;
}

export type StreamListener = (event: StreamEventPayload, delivery: StreamDelivery) => void;

const listeners = new Set<StreamListener>();

export function subscribeStream(listener: StreamListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export function emitStreamEvent(event: StreamEventPayload, delivery: StreamDelivery): void {
  for (const listener of [...listeners]) {
    try {
      listener(event, delivery);
    } catch (e) {
      // One feature's bug must not stop the others from hearing the stream.
      console.error(e);
    }
  }
}

type ResyncListener = () => void;
const resyncListeners = new Set<ResyncListener>();

export function subscribeResync(listener: ResyncListener): () => void {
  resyncListeners.add(listener);
  return () => {
    resyncListeners.delete(listener);
  };
}

export function emitResync(): void {
  for (const listener of [...resyncListeners]) listener();
}
