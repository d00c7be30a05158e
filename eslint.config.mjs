// Lint for every package and the tests. Type-aware rules stay off to keep `make test` fast;
// `tsc -b` (strict) is the type check.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/lib/**',
      '**/labextension/**',
      '.venv/**',
      'artifacts/**',
      'test/ui/.work/**',
      '**/*.d.ts'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', require: 'readonly', __dirname: 'readonly' }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      'no-var': 'error',
      'prefer-const': 'error',
      // Prettier breaks code at 120; strings, comments and test names are held to the same width.
      'max-len': ['error', { code: 120, tabWidth: 2 }]
    }
  },
  {
    // The tools' scripts, and the .cjs files packages ship, are CommonJS run by Node.
    files: ['tools/**/*.js', 'packages/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { __filename: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
);
