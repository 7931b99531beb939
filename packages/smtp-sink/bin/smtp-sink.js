#!/usr/bin/env node
// The built sink (pnpm --filter @bookstore/smtp-sink build); a file of its own so that the bin
// exists before any build (`pnpm --filter @bookstore/smtp-sink dev` runs the TypeScript source).
await import('../dist/main.js')
