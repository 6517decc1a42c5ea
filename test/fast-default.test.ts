/** Fast by default: importing the package in Node switches to the WASM SIMD kernels, and never keeps the process alive. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a module body in a fresh Node process (from source, via tsx). */
async function fresh(body: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', body], { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
  return stdout.trim();
}

describe('fast by default', () => {
  it('import the package: the WASM SIMD kernels, a training step on them, and the process exits by itself', async () => {
    const body = `
      import { SimpleConvNet, Adam, kernelBackend, zeros } from './src/node.ts';
      const net = new SimpleConvNet({ seed: 1, dtype: 'float32' });
      const x = zeros([4, 1, 28, 28], { dtype: 'float32' });
      const loss = (() => { const o = new Adam(0.001); o.update(net.params, net.gradient(x, [1, 2, 3, 4])); return net.loss(x, [1, 2, 3, 4]); })();
      // The parameters live in the kernels' memory (256 MiB of address space).
      console.log(kernelBackend(), net.params.W1.data.buffer.byteLength === 256 * 1024 * 1024, Number.isFinite(loss));`;
    // execFile resolves only when the process has exited: the helper thread did not keep it alive.
    assert.equal(await fresh(body), 'wasm-simd true true');
  });

  it('SCRATCHNET_KERNELS=typescript before the import keeps the TypeScript reference kernels; useTypeScriptKernels switches back', async () => {
    assert.equal(await fresh(`import { kernelBackend } from './src/node.ts'; console.log(kernelBackend());`, { SCRATCHNET_KERNELS: 'typescript' }), 'typescript');
    assert.equal(await fresh(`import { kernelBackend, useTypeScriptKernels } from './src/node.ts'; useTypeScriptKernels(); console.log(kernelBackend());`), 'typescript');
  });
});
