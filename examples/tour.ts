// Placeholder until the tour lands (issue 7): `pnpm start` runs this file.
console.log('reactor-ts: the tour is not written yet; run `pnpm test` to see what works.');
