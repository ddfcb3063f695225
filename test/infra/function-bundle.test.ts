import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildStack, HANDLER_ENTRY, MSK_CONTEXT } from './stack-fixture.js';

// The one test that runs esbuild: it proves the asset SAM and Lambda load is what the brief asks for.
describe.runIf(existsSync(HANDLER_ENTRY))('InventoryFunction bundle', () => {
  it('is minified ESM that keeps class names, with a createRequire banner and a source map, and the template points SAM at it', () => {
    // Prepare: the CDK CLI turns asset metadata on; do the same here.
    const { app, stack } = buildStack(MSK_CONTEXT, {
      bundle: true,
      cliContext: { 'aws:cdk:enable-asset-metadata': true },
    });

    // Act
    const assembly = app.synth();
    const template = Template.fromStack(stack);

    // Assess
    template.hasResource('AWS::Lambda::Function', {
      Metadata: { 'aws:asset:path': Match.stringLikeRegexp('^asset\\.'), 'aws:asset:property': 'Code' },
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    const assetDir = join(assembly.directory, fn?.Metadata['aws:asset:path']);
    expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(
      code.startsWith('import{createRequire}from"module";const require=createRequire(import.meta.url);'),
    ).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*as handler/);
    // Minified: a handful of very long lines rather than one statement per line.
    expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
    // Names kept: error classes name themselves from new.target.name, and only keepNames puts the
    // literal name of a class into the bundle (lambda/ never spells these names as strings).
    for (const name of ['ConfigError', 'InventoryError', 'PoisonRecordError']) {
      // A boolean, so a failure names the class instead of printing half a megabyte of bundle.
      expect(new RegExp(`["']${name}["']`).test(code), `${name} kept in the bundle`).toBe(true);
    }
  });
});
