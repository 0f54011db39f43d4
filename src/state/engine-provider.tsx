/**
 * React binding of the engine and store: one context carrying both, and
 * `useAppStore(selector)` for components. Select the smallest piece you need; a selector
 * must return a stable value (a field, not a freshly built array or object).
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Engine } from '../engine';
import type { AppState, AppStore } from './store';

interface EngineContextValue {
  engine: Engine;
  store: AppStore;
}

const Ctx = createContext<EngineContextValue | null>(null);

/** Provides the engine and its store to everything below. */
export function EngineProvider(props: { engine: Engine; store: AppStore; children: ReactNode }) {
  return <Ctx.Provider value={{ engine: props.engine, store: props.store }}>{props.children}</Ctx.Provider>;
}

function useEngineContext(): EngineContextValue {
  const v = useContext(Ctx);
  if (!v) throw new Error('clavis: EngineProvider is missing');
  return v;
}

/** Reads a slice of the store and re-renders when it changes. */
export function useAppStore<T>(selector: (s: AppState) => T): T {
  return useStore(useEngineContext().store, selector);
}

/** The engine itself, for app-wide effects (the change feed); views go through the store. */
export function useEngine(): Engine {
  return useEngineContext().engine;
}

/** The store itself, for effects that call actions without subscribing. */
export function useAppStoreApi(): AppStore {
  return useEngineContext().store;
}

/** The status of a named operation (see `opNames` in the keys slice), or undefined. */
export function useOp(name: string) {
  return useAppStore((s) => s.keys.ops[name]);
}
