// React access to what the chat shows: the session doc's messages, spans and run state (read through
// the shared accessors on every doc change), this device's model settings and runner pairing (Dexie),
// and the tab's session driver.
import { getRunState, getSessionMeta, listMessages, observeSession } from '@boocode/shared/doc/session';
import type { Message, RunState, SessionMeta, Span } from '@boocode/shared/doc/session-schema';
import { listSpans } from '@boocode/shared/doc/spans';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import { useServices } from '../docs/doc-context.tsx';
import { useDocVersion } from '../docs/doc-hooks.ts';
import { observeRunnerPairing } from '../runner/runner-pairing.ts';
import { attachDriver } from './driver-registry.ts';
import { type ModelSettings, observeModelSettings } from './model-settings.ts';
import type { DriverState, SessionDriver } from './session-driver.ts';

export interface ChatDocView {
  meta: SessionMeta | undefined;
  messages: Message[];
  spans: Span[];
  run: RunState;
}

export function useChatDoc(doc: Y.Doc): ChatDocView {
  const version = useDocVersion(doc, observeSession);
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is the change signal of the doc
  return useMemo(
    () => ({ meta: getSessionMeta(doc), messages: listMessages(doc), spans: listSpans(doc), run: getRunState(doc) }),
    [doc, version],
  );
}

export function useModelSettings(): ModelSettings | undefined {
  const { db } = useServices();
  const [settings, setSettings] = useState<ModelSettings>();
  useEffect(() => observeModelSettings(db, setSettings), [db]);
  return settings;
}

/** undefined while loading, null when this device is not paired. */
export function useRunnerPairing(): RunnerPairing | null | undefined {
  const { db } = useServices();
  const [pairing, setPairing] = useState<RunnerPairing | null>();
  useEffect(() => observeRunnerPairing(db, (p) => setPairing(p ?? null)), [db]);
  return pairing;
}

export interface DriverView {
  driver: SessionDriver | undefined;
  state: DriverState;
}

const IDLE: DriverState = { driving: false };

/** The tab's driver for one session (shared, and alive while it runs a turn); takes over abandoned turns. */
export function useSessionDriver(sessionId: string): DriverView {
  const services = useServices();
  const [driver, setDriver] = useState<SessionDriver>();
  useEffect(() => {
    const { driver: d, detach } = attachDriver(services, sessionId);
    setDriver(d);
    return detach;
  }, [services, sessionId]);
  const state = useSyncExternalStore(driver?.subscribe ?? noSubscribe, driver?.getState ?? (() => IDLE));
  return { driver, state };
}

const noSubscribe = () => () => {};
