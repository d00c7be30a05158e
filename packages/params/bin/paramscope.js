#!/usr/bin/env node
// The `paramscope` command; its code is compiled to lib/ (`npm run build`).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS, as lib/ is
require('../lib/cli/main.js');
