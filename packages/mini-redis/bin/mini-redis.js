#!/usr/bin/env node
// The `mini-redis` command. A committed file rather than dist/main.js itself,
// so the bin exists when a workspace installs before its first build (pnpm
// links bins at install time); it runs the built server.
import '../dist/main.js';
