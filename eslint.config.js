import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', '.playground/', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['bench/**/*.ts'], rules: { 'no-console': 'off' } },
  {
    // The application owns its ports (src/services/ports); adapters depend on it, never the reverse.
    files: ['src/services/**/*.ts', 'src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/adapters', '**/adapters/**'], message: 'Services and the domain must not depend on adapters: use (or add) a port in src/services/ports.' }] },
      ],
    },
  },
);
