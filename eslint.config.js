import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import stripeUiExtension from '@stripe/ui-extension-tools/eslint.config.ui-extension.mjs';

// The Stripe UI config bans raw HTML elements; it applies to the extension only.
const appFiles = ['app/**/*.{ts,tsx}', 'src/**/*.{ts,tsx}', 'test/app/**/*.{ts,tsx}'];

export default [
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  ...stripeUiExtension.map((config) => ({ ...config, files: appFiles })),
  ...[js.configs.recommended, ...tseslint.configs.recommended].map((config) => ({
    ...config,
    files: ['server/**/*.{ts,tsx}', 'shared/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'bin/**/*.js', '*.{js,ts}'],
  })),
  {
    files: ['server/**/*.ts', 'shared/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through server/config.ts.' },
      ],
    },
  },
  {
    // The composition roots and test harness are where the environment is read.
    files: ['server/bootstrap.ts', 'server/main.ts', 'server/cli/main.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Prettier wraps code at 140; what it cannot wrap (a long string, a regex) is split by hand.
    files: [
      'app/**/*.{ts,tsx}',
      'server/**/*.{ts,tsx}',
      'shared/**/*.ts',
      'test/**/*.{ts,tsx}',
      'bench/**/*.ts',
      'bin/**/*.js',
      '*.{js,mjs,ts}',
    ],
    rules: { 'max-len': ['error', { code: 140 }] },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
];
