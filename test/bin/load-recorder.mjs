// `node --import ./test/bin/load-recorder.mjs …` records the modules a run resolves (load-hooks.mjs).
import { register } from 'node:module';

register(new URL('./load-hooks.mjs', import.meta.url));
