/// <reference types="vite/client" />
/// <reference types="vite-plugin-pwa/client" />

/** The build's id (vite.config.ts `define`); the page shows it as `<html data-build-id>`. */
declare const __BOOCODE_BUILD_ID__: string;
