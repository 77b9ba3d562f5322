import { EventEmitter } from 'node:events';
import type { EngineEvent, EngineEventListener } from '../../api/events';

/** The engine's events, from every service to every subscriber (transports, the CLI, tests). */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per connected client and per waiting command: no fixed limit.
    this.emitter.setMaxListeners(0);
  }

  on(listener: EngineEventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  emit(event: EngineEvent): void {
    this.emitter.emit('event', event);
  }
}
