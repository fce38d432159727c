// Loads the QuickJS wasm once, lazily: nothing is fetched until the first workflow runs.
// The sync build only: the asyncify build crashes on dispose and on a second concurrent await
// (quickjs-emscripten #261, #258; see shared/FINDINGS.md).
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

let loading: Promise<QuickJSWASMModule> | undefined;

export function loadQuickJS(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(import('@jitl/quickjs-wasmfile-release-sync')).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
