import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		include: ['src/**/*.spec.ts', 'tests/integration/**/*.test.ts', 'migrations/**/*.spec.ts'],
		environment: 'node',
		testTimeout: 20_000,
		hookTimeout: 60_000,
		// argon2 and real servers: keep parallelism modest on a 2-core machine
		maxWorkers: 2
	}
});
