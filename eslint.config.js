import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.herold/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The ingest path reads top-down: intake/ plans through messages/ and defers through scheduling/;
    // messages/ never reaches up into either (npm run check:cycles catches file-level cycles).
    files: ['shared/messages/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/scheduling/*', '**/intake/*'],
              message: 'messages/ must not depend on scheduling/ or intake/',
            },
          ],
        },
      ],
    },
  },
);
