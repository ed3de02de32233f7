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
    // Lambda bundles: `import { z } from 'zod'` makes esbuild keep zod's whole namespace, every locale
    // included (≈ 450 KB of each bundle); `import * as z from 'zod'` lets it keep only what is used.
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "ImportDeclaration[source.value='zod'] > :matches(ImportSpecifier[imported.name='z'], ImportDefaultSpecifier)",
          message: "write `import * as z from 'zod'`: the named `z` puts all of zod into every Lambda bundle",
        },
      ],
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
