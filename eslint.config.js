import { readdirSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Each feature of the workspace stands alone: it may not import another feature (shared code goes to lib/ or components/). */
const features = readdirSync(path.join(import.meta.dirname, 'web', 'src', 'features'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.herold/', 'web/dist/'] },
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
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // no barrel files: every import names the module it needs, so a screen's chunk holds only what it uses
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'no barrel files: import from the module itself' },
        { selector: 'ExportNamedDeclaration[source]', message: 'no barrel files: import from the module itself' },
      ],
    },
  },
  // no cross-feature imports: features/<x> may import lib/, components/ and its own files only
  ...features.map((feature) => ({
    files: [`web/src/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                `@/features/*`,
                `!@/features/${feature}`,
                `!@/features/${feature}/**`,
                '../../*/**',
                '../../../features/**',
              ],
              message: `features/${feature} may not import another feature: move shared code to lib/ or components/`,
            },
            { group: ['@/app/**', '**/app/**'], message: 'features never import the app' },
          ],
        },
      ],
    },
  })),
  {
    files: ['web/src/lib/**/*.{ts,tsx}', 'web/src/components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/features/**', '@/app/**'], message: 'shared code never imports features or the app' },
          ],
        },
      ],
    },
  },
);
