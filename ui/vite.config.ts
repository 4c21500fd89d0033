/// <reference types="vitest/config" />
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

// The built UI is embedded in the Tauri app (frontendDist: ../ui/dist) and
// served from bundled assets only, under a strict CSP.
export default defineConfig({
  plugins: [svelte()],
  // Tests load Svelte's browser runtime (effects run; components mount in happy-dom).
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
